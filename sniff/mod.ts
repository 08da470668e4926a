/**
 * sniff/: pure parsers for the names in packets (DNS answers, TLS and QUIC ClientHello SNI, HTTP/1.x Host)
 * and the host-name rules that go with them (validation, service under the Public Suffix List, display). All
 * are synchronous and allocation-free on the common reject path, except the QUIC Initial's decryption, which
 * uses WebCrypto; the DNS and ClientHello readers take the capture's buffer with bounds and allocate nothing
 * for a name seen before. Each returns null, never throws, on hostile input. The wire facts are in
 * docs/services-wire.md.
 *
 * Import rule: sniff/ imports nothing else from netledger. capture/ and web/api/ import it through this file.
 */
export { ANSWER_WORDS_PER_ADDRESS, answerName, answerWords, readDnsAnswerWords } from "./dns_answer.ts";
export { readClientHelloSni } from "./client_hello.ts";
export { isQuicInitial, readQuicInitialSni } from "./quic_initial.ts";
export { readHttpHost } from "./http_host.ts";
export { cleanHostName, displayHostName, serviceOf } from "./host_name.ts";
