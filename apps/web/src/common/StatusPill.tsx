import { STATUS_BADGE, STATUS_LABEL, type ElementStatus } from '../lab/status';

export function StatusPill({ status }: { status: ElementStatus }) {
  return (
    <span className={`status-pill status-${status}`} title={STATUS_LABEL[status]}>
      <span className="visually-hidden">State: </span>
      {STATUS_BADGE[status]}
    </span>
  );
}
