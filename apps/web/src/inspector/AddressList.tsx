/** A list of addresses (an interface's, a bridge's): edit, add the next free one, remove. */
import type { LabIssue } from '@netns-lab/model';
import { useState } from 'react';
import { TextField } from '../common/fields';
import { appStore } from '../store/store';

export function AddressList({
  addresses,
  basePath,
  issues,
  onChange,
  propose,
  title = 'Addresses',
}: {
  addresses: readonly string[];
  /** e.g. links[0].a.addresses */
  basePath: string;
  issues: readonly LabIssue[];
  onChange: (next: string[], coalesce?: string) => void;
  propose: () => string;
  title?: string;
}) {
  const [added, setAdded] = useState<number | null>(null);
  const seal = (): void => appStore.getState().sealEdit();
  return (
    <div className="address-list" role="group" aria-label={title}>
      <div className="subhead">
        <span>{title}</span>
        <button
          type="button"
          className="small-button"
          onClick={() => {
            setAdded(addresses.length);
            onChange([...addresses, propose()]);
          }}
        >
          Add address
        </button>
      </div>
      {addresses.length === 0 ? <p className="muted small">No address.</p> : null}
      {addresses.map((address, k) => (
        <TextField
          key={k}
          label={`Address ${k + 1}`}
          value={address}
          placeholder="192.168.15.1/24"
          path={`${basePath}[${k}]`}
          issues={issues}
          autoFocus={added === k}
          onBlur={seal}
          onChange={(v) =>
            onChange(
              addresses.map((a, i) => (i === k ? v : a)),
              `${basePath}[${k}]`,
            )
          }
          after={
            <button
              type="button"
              className="icon-button"
              aria-label={`Remove ${address.trim() || 'this empty address'}`}
              title="Remove this address"
              onClick={() => onChange(addresses.filter((_, i) => i !== k))}
            >
              ×
            </button>
          }
        />
      ))}
    </div>
  );
}
