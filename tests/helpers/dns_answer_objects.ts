/**
 * The object form of sniff's DNS reader, for tests: readDnsAnswerWords() leaves an answer in reused arrays
 * (the counting path makes no objects), and a test compares whole answers.
 */
import { ANSWER_WORDS_PER_ADDRESS, answerName, answerWords, readDnsAnswerWords } from "../../sniff/mod.ts";

/**
 * One address of an answer as 32-bit words (network order, as signed int32s, the way the capture's tables key
 * addresses): one for IPv4, four for IPv6.
 */
export interface DnsAddress {
  readonly family: 4 | 6;
  readonly words: readonly number[];
  readonly ttlSec: number;
}

/** The name the client asked and the addresses the response gives for it. */
export interface DnsAnswer {
  readonly name: string;
  readonly addresses: readonly DnsAddress[];
}

/** readDnsAnswerWords() on `message[start, end)` as one object, or null when not a usable answer. */
export function readDnsAnswer(
  message: Uint8Array,
  tcp: boolean,
  start = 0,
  end = message.length,
): DnsAnswer | null {
  const count = readDnsAnswerWords(message, start, end, tcp);
  if (count === 0) return null;
  const addresses: DnsAddress[] = [];
  for (let i = 0; i < count * ANSWER_WORDS_PER_ADDRESS; i += ANSWER_WORDS_PER_ADDRESS) {
    const family = answerWords[i] === 4 ? 4 : 6;
    const words = answerWords.slice(i + 1, i + (family === 4 ? 2 : 5));
    addresses.push({ family, words, ttlSec: answerWords[i + 5] });
  }
  return { name: answerName, addresses };
}
