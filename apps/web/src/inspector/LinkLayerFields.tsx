/** MAC, MTU and Up: what a veth end and a bridge both have, edited alike. */
import type { LabIssue } from '@netns-lab/model';
import { CheckboxField, NumberField, TextField } from '../common/fields';
import { withOptional } from '../lab/edit';

export interface LinkLayer {
  mac?: string | undefined;
  mtu?: number | undefined;
  up: boolean;
}

export function LinkLayerFields({
  value,
  base,
  issues,
  onChange,
  onBlur,
}: {
  value: LinkLayer;
  /** The path of the interface (links[0].a, nodes[3]); its fields are base.mac, .mtu, .up. */
  base: string;
  issues: readonly LabIssue[];
  /** One field changed (undefined: cleared, back to the kernel's choice); `coalesce` as editLab's. */
  onChange(change: Partial<LinkLayer>, coalesce?: string): void;
  onBlur(): void;
}) {
  return (
    <>
      <div className="field-pair">
        <TextField
          label="MAC"
          value={value.mac ?? ''}
          placeholder="automatic"
          path={`${base}.mac`}
          issues={issues}
          onBlur={onBlur}
          onChange={(mac) => onChange({ mac: mac.trim() === '' ? undefined : mac }, `${base}.mac`)}
        />
        <NumberField
          label="MTU"
          value={value.mtu}
          min={68}
          max={65535}
          placeholder="1500"
          path={`${base}.mtu`}
          issues={issues}
          onBlur={onBlur}
          onChange={(mtu) => onChange({ mtu }, `${base}.mtu`)}
        />
      </div>
      <CheckboxField
        label="Up"
        checked={value.up}
        path={`${base}.up`}
        issues={issues}
        onChange={(up) => onChange({ up })}
      />
    </>
  );
}

/** `target` with `change` made (a field set to undefined is removed). */
export function applyLinkLayer<T extends LinkLayer>(target: T, change: Partial<LinkLayer>): T {
  let next = target;
  if ('mac' in change) next = withOptional(next, 'mac', change.mac as T['mac']);
  if ('mtu' in change) next = withOptional(next, 'mtu', change.mtu as T['mtu']);
  if (change.up !== undefined) next = { ...next, up: change.up };
  return next;
}
