/**
 * A long-lived frame injector for tests that feed traffic over minutes: started once inside the peer namespace
 * (`ip netns exec NS deno run -A tests/helpers/frame_pump.ts IFACE FILE`), it reads one number per stdin line,
 * sends the frames of FILE (encodeFrames format) that many times, and answers "sent N" once they are out.
 * A child per burst would spend ~0.5 s starting Deno each time. Stops at end of input.
 */
import { decodeFrames, encodeFrames, injectFrames } from "./inject_frames.ts";

/** A running pump; `send` resolves after the frames left the interface. */
export interface FramePump extends AsyncDisposable {
  /** Sends the round of frames `rounds` times. */
  send(rounds: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a pump in namespace `ns` sending `frames` out of `iface`. */
export async function startFramePump(
  ns: string,
  iface: string,
  frames: readonly Uint8Array[],
): Promise<FramePump> {
  const file = await Deno.makeTempFile({ prefix: "netledger-pump-" });
  await Deno.writeFile(file, encodeFrames(frames));
  const child = new Deno.Command("ip", {
    args: ["netns", "exec", ns, Deno.execPath(), "run", "-A", new URL(import.meta.url).pathname, iface, file],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const nextLine = async (): Promise<string> => {
    while (!buffered.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) throw new Error("Frame pump ended early");
      buffered += value;
    }
    const at = buffered.indexOf("\n");
    const line = buffered.slice(0, at);
    buffered = buffered.slice(at + 1);
    return line;
  };
  let isClosed = false;
  const close = async () => {
    if (isClosed) return;
    isClosed = true;
    await writer.close();
    await lines.cancel();
    await child.status;
    await Deno.remove(file);
  };
  return {
    async send(rounds) {
      await writer.write(new TextEncoder().encode(`${rounds}\n`));
      const answer = await nextLine();
      if (answer !== `sent ${rounds}`) throw new Error(`Frame pump answered "${answer}"`);
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

if (import.meta.main) {
  const [iface, file] = Deno.args;
  const frames = decodeFrames(await Deno.readFile(file));
  let pending = "";
  for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
    pending += chunk;
    for (let at = pending.indexOf("\n"); at >= 0; at = pending.indexOf("\n")) {
      const rounds = Number(pending.slice(0, at));
      pending = pending.slice(at + 1);
      for (let i = 0; i < rounds; i++) injectFrames(iface, frames);
      console.log(`sent ${rounds}`);
    }
  }
}
