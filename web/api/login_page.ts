/**
 * The login page: one self-contained HTML document (inline CSS, no script, no asset), so it renders before any
 * login and needs nothing from disk. Text in English, Simplified Chinese or Russian by Accept-Language, the
 * languages of the dashboard.
 */

/** What the page says below the form, if anything. */
export type LoginNotice = "none" | "wrong_password" | "locked" | "no_password_configured";

interface LoginText {
  readonly lang: string;
  readonly title: string;
  readonly password: string;
  readonly submit: string;
  readonly notices: Readonly<Record<Exclude<LoginNotice, "none">, string>>;
}

const TEXTS: readonly LoginText[] = [
  {
    lang: "en",
    title: "netledger: log in",
    password: "Password",
    submit: "Log in",
    notices: {
      wrong_password: "Wrong password",
      locked: "Too many failed attempts: try again in {s} s",
      no_password_configured: "Password login is off: set AUTH_PASSWORD or AUTH_PASSWORD_HASH",
    },
  },
  {
    lang: "zh",
    title: "netledger：登录",
    password: "密码",
    submit: "登录",
    notices: {
      wrong_password: "密码错误",
      locked: "失败次数过多：请在 {s} 秒后重试",
      no_password_configured: "未启用密码登录：请设置 AUTH_PASSWORD 或 AUTH_PASSWORD_HASH",
    },
  },
  {
    lang: "ru",
    title: "netledger: вход",
    password: "Пароль",
    submit: "Войти",
    notices: {
      wrong_password: "Неверный пароль",
      locked: "Слишком много неудачных попыток: повторите через {s} с",
      no_password_configured: "Вход по паролю выключен: задайте AUTH_PASSWORD или AUTH_PASSWORD_HASH",
    },
  },
];

/** Picks the first of en/zh/ru named in an Accept-Language header; English otherwise. */
function pickText(acceptLanguage: string | undefined): LoginText {
  for (const part of (acceptLanguage ?? "").split(",")) {
    const lang = part.trim().slice(0, 2).toLowerCase();
    const text = TEXTS.find((t) => t.lang === lang);
    if (text) return text;
  }
  return TEXTS[0];
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * Renders the login page. `next` is the already-validated local path to return to after login;
 * `retryAfterSec` fills the "locked" notice. The form has no action, so it posts to this page's own address,
 * fragment included: a deep link's "#/…" never reaches the server, but the browser keeps it across the
 * 303 to `next` (Fetch: a Location without a fragment inherits the request's), so login returns there.
 */
export function renderLoginPage(
  options: { acceptLanguage?: string; next: string; notice: LoginNotice; retryAfterSec?: number },
): string {
  const text = pickText(options.acceptLanguage);
  const notice = options.notice === "none"
    ? ""
    : `<p role="alert">${
      escapeHtml(text.notices[options.notice].replace("{s}", String(options.retryAfterSec ?? 0)))
    }</p>`;
  const disabled = options.notice === "no_password_configured" ? " disabled" : "";
  return `<!doctype html>
<html lang="${text.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(text.title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;min-height:100vh;display:grid;place-items:center;background:#f4f5f7;color:#1b1f24}
form{box-sizing:border-box;background:#fff;padding:2rem;border-radius:12px;box-shadow:0 2px 12px #0002;width:min(24rem,calc(100vw - 2rem));display:grid;gap:.8rem}
h1{font-size:1.2rem;margin:0 0 .4rem}
input,button{font:inherit;padding:.6rem .7rem;border-radius:8px;border:1px solid #7c8591}
button{background:#2563eb;color:#fff;border:none;cursor:pointer}
button:disabled{background:#9aa3ad}
p[role=alert]{color:#b42318;margin:0}
@media (prefers-color-scheme:dark){body{background:#111418;color:#e6e9ee}form{background:#1b2027}
input{background:#111418;color:#e6e9ee}p[role=alert]{color:#ff8a80}}
</style>
</head>
<body>
<form method="post">
<h1>netledger</h1>
<label for="password">${escapeHtml(text.password)}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required autofocus${disabled}>
<input type="hidden" name="next" value="${escapeHtml(options.next)}">
<button type="submit"${disabled}>${escapeHtml(text.submit)}</button>
${notice}
</form>
</body>
</html>
`;
}
