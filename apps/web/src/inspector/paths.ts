/**
 * Which findings the inspector shows at a field of their own; the rest are listed at the top of
 * the inspector with their rule.
 */
const FIELD_PATH =
  /^(nodes\[\d+\]\.(name|namespace|subnet|mac|mtu|up|ipForward|loopback|addresses\[\d+\]|routes\[\d+\](\.(to|via|dev|metric))?|nat\[\d+\](\.(source|outInterface))?|hosts\[\d+\](\.(name|address|gateway))?)|links\[\d+\]\.(a|b)\.(ifname|mac|mtu|up|addresses\[\d+\]))$/;

export function hasOwnField(path: string): boolean {
  return FIELD_PATH.test(path);
}
