/**
 * Parses netfilter state: `iptables-save -c -t nat` rules with their counters, and conntrack
 * entries (`/proc/net/nf_conntrack` or `conntrack -L`). Pure: tested with captured output.
 */
import type { LiveConntrack, LiveNatRule } from '@netns-lab/model';

/**
 * Splits an iptables-save rule into words the way iptables-save quotes them: double quotes
 * around words with spaces (`--comment "hi there"`), backslash escapes inside.
 */
export function splitRuleWords(rule: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < rule.length; i += 1) {
    const c = rule[i] as string;
    if (quoted) {
      if (c === '\\' && i + 1 < rule.length) {
        i += 1;
        word += rule[i];
      } else if (c === '"') {
        quoted = false;
      } else {
        word += c;
      }
    } else if (c === '"') {
      quoted = true;
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * Rules of the nat table from `iptables-save -c -t nat`, in order (order matters to netfilter).
 * Each line looks like `[12:720] -A POSTROUTING -s 192.168.15.0/24 -j MASQUERADE`.
 */
export function parseNatRules(text: string): LiveNatRule[] {
  const rules: LiveNatRule[] = [];
  let table = '';
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line.startsWith('*')) {
      table = line.slice(1);
      continue;
    }
    if (table !== 'nat') continue;
    const match = /^\[(\d+):(\d+)\]\s+-A\s+(\S+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const [, packets, bytes, chain, rule] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
    ];
    const words = splitRuleWords(rule);
    const valueOf = (...options: string[]) => {
      const at = words.findIndex((w) => options.includes(w));
      return at >= 0 && !isNegated(words, at) ? words[at + 1] : undefined;
    };
    const natRule: LiveNatRule = {
      chain,
      rule,
      target: valueOf('-j', '--jump') ?? '',
      packets: Number(packets),
      bytes: Number(bytes),
    };
    const source = valueOf('-s', '--source');
    if (source !== undefined) natRule.source = source;
    const outInterface = valueOf('-o', '--out-interface');
    if (outInterface !== undefined) natRule.outInterface = outInterface;
    rules.push(natRule);
  }
  return rules;
}

/** `! -s 10.0.0.0/8` means "not from": not a source to show as one. */
function isNegated(words: readonly string[], at: number): boolean {
  return at > 0 && words[at - 1] === '!';
}

/**
 * Conntrack entries. Both `/proc/net/nf_conntrack` ("ipv4 2 icmp 1 29 src=... ") and
 * `conntrack -L` ("icmp 1 29 src=...") print the original direction's key=value tuple, then the
 * reply's, starting again at "src=". Timeouts, states and use counts change every second, so
 * they are left out: an entry reads the same until the flow itself changes.
 */
export function parseConntrack(text: string): LiveConntrack[] {
  const entries: LiveConntrack[] = [];
  for (const rawLine of text.split('\n')) {
    const words = rawLine.trim().split(/\s+/);
    if (words.length < 3 || !words.some((w) => w.startsWith('src='))) continue;
    const offset = words[0] === 'ipv4' || words[0] === 'ipv6' ? 2 : 0;
    const protocol = words[offset];
    if (protocol === undefined) continue;
    const tuples: string[][] = [];
    for (const word of words) {
      if (!/^(src|dst|sport|dport|type|code|id)=/.test(word)) continue;
      if (word.startsWith('src=')) tuples.push([]);
      tuples.at(-1)?.push(word);
    }
    entries.push({
      protocol,
      original: (tuples[0] ?? []).join(' '),
      reply: (tuples[1] ?? []).join(' '),
    });
  }
  return entries.sort((a, b) =>
    compareText(`${a.protocol} ${a.original}`, `${b.protocol} ${b.original}`),
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
