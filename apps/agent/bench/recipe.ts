/**
 * The floor, measured on the same kernel in the same run: the bench lab built by hand the
 * fastest way we know with the same tools, as a bash script (the agent now builds labs this
 * way, apart from plugging each port into the bridge in its own command, so that the student
 * sees the seed's `ip link set veth-red-br master v-net-0`).
 * - all namespaces in one `ip -batch`;
 * - each veth created where it belongs (`... peer name vethI netns nsI`), enslaved and up in
 *   the same command: no `ip link set ... netns` move, which costs ~25 ms of kernel time each;
 * - the bridge stays down until its ports are in and up: enabling a port of a bridge that is up
 *   costs time in proportion to its ports (quadratic over a lab), bringing the bridge up once
 *   enables them all in one go;
 * - one `ip -batch` per namespace (address, link up) through `nsenter --net`, which stays
 *   cheap however many namespaces there are, 8 at a time, forked by bash (cheap), not by node;
 * - teardown: all namespaces in one `ip -batch` (the kernel cleans their veths up in batches),
 *   then a wait until the bridge's ends are gone.
 * Only for labs of namespaces on bridges in the host (the bench's labs).
 */
import type { Lab } from '@netns-lab/model';
import { runThrowaway, type ThrowawayResult } from './throwaway';

const PARALLEL = 8;

export function recipeApply(lab: Lab, netnsDir = '/run/netns'): string {
  const namespaces = lab.nodes.filter((n) => n.kind === 'namespace').map((n) => n.name);
  const bridges = new Map(
    lab.nodes.flatMap((n) => (n.kind === 'bridge' ? [[n.id, n.name] as const] : [])),
  );
  const nameOf = new Map(lab.nodes.map((n) => [n.id, 'name' in n ? n.name : n.id]));
  const lines: string[] = [];
  lines.push("ip -batch - <<'EOF'", ...namespaces.map((ns) => `netns add ${ns}`), 'EOF');
  lines.push(
    "ip -batch - <<'EOF'",
    ...[...bridges.values()].map((b) => `link add ${b} type bridge`),
  );
  const inside = new Map<string, string[]>();
  for (const link of lab.links) {
    const bridge = bridges.get(link.b.node);
    const ns = nameOf.get(link.a.node);
    if (bridge === undefined || ns === undefined)
      throw new Error('recipe: only namespace-bridge veths');
    lines.push(
      `link add ${link.b.ifname} master ${bridge} up type veth peer name ${link.a.ifname} netns ${ns}`,
    );
    const own = inside.get(ns) ?? [];
    for (const cidr of link.a.addresses) own.push(`addr add ${cidr} dev ${link.a.ifname}`);
    own.push(`link set ${link.a.ifname} up`);
    inside.set(ns, own);
  }
  lines.push('EOF');
  let k = 0;
  for (const [ns, own] of inside) {
    lines.push(`nsenter --net=${netnsDir}/${ns} ip -batch - <<'EOF' &`, ...own, 'EOF');
    if (++k % PARALLEL === 0) lines.push('wait');
  }
  lines.push('wait', ...[...bridges.values()].map((b) => `ip link set dev ${b} up`));
  return lines.join('\n') + '\n';
}

export function recipeTeardown(lab: Lab): string {
  const namespaces = lab.nodes.filter((n) => n.kind === 'namespace').map((n) => n.name);
  const bridges = lab.nodes.flatMap((n) => (n.kind === 'bridge' ? [n.name] : []));
  return (
    [
      // -force: what is already gone is no reason to stop.
      "ip -force -batch - <<'EOF' || true",
      ...namespaces.map((ns) => `netns del ${ns}`),
      ...bridges.map((b) => `link del ${b}`),
      'EOF',
      // The kernel removes the namespaces' veths (and so their ends here) in the background.
      'for k in $(seq 1000); do [ -z "$(ip -o link show type veth)" ] && break; sleep 0.01; done',
    ].join('\n') + '\n'
  );
}

export interface RecipeResult {
  applyMs?: number;
  teardownMs?: number;
  /** Whether the first namespace could ping the last one after the build. */
  reached: boolean;
  run: ThrowawayResult;
}

/** Builds and tears down `lab` with the recipe in a throwaway namespace. */
export async function runRecipe(lab: Lab, timeoutMs: number): Promise<RecipeResult> {
  const first = lab.links[0]?.a.node ?? 'ns0';
  const target = lab.links.at(-1)?.a.addresses[0]?.split('/')[0] ?? '127.0.0.1';
  const script = [
    'set -e',
    'now() { date +%s%N; }',
    't0=$(now)',
    recipeApply(lab),
    't1=$(now)',
    'echo "BENCH apply $(( (t1 - t0) / 1000 ))"',
    // Proof that it works: the first namespace reaches the last one across the bridge.
    `if nsenter --net=/run/netns/${first} ping -c 1 -W 2 ${target} >/dev/null 2>&1; ` +
      'then echo "BENCH reached 1"; else echo "BENCH reached 0"; fi',
    't2=$(now)',
    recipeTeardown(lab),
    't3=$(now)',
    'echo "BENCH teardown $(( (t3 - t2) / 1000 ))"',
  ].join('\n');
  const run = await runThrowaway(script + '\n', { timeoutMs });
  const result: RecipeResult = { run, reached: run.values.get('reached') === 1 };
  const apply = run.values.get('apply');
  const teardown = run.values.get('teardown');
  if (apply !== undefined) result.applyMs = apply / 1000;
  if (teardown !== undefined) result.teardownMs = teardown / 1000;
  return result;
}
