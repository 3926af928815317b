import type { NodeKind } from '@netns-lab/model';

/** Small line icons: a house (host), a room (namespace), a switch (bridge), a cloud (LAN). */
export function KindIcon({ kind }: { kind: NodeKind }) {
  const common = {
    width: 18,
    height: 18,
    viewBox: '0 0 24 24',
    fill: 'none',
    stroke: 'currentColor',
    strokeWidth: 1.8,
    strokeLinecap: 'round' as const,
    strokeLinejoin: 'round' as const,
    'aria-hidden': true,
    className: 'kind-icon',
  };
  switch (kind) {
    case 'host':
      return (
        <svg {...common}>
          <path d="M3 11l9-7 9 7" />
          <path d="M5 10v10h14V10" />
          <path d="M10 20v-5h4v5" />
        </svg>
      );
    case 'namespace':
      return (
        <svg {...common}>
          <rect x="4" y="4" width="16" height="16" rx="3" />
          <path d="M9 20v-6h6v6" />
        </svg>
      );
    case 'bridge':
      return (
        <svg {...common}>
          <rect x="3" y="8" width="18" height="8" rx="2" />
          <path d="M7 12h.01M11 12h.01M15 12h.01" />
          <path d="M7 8V5M17 8V5M7 16v3M17 16v3" />
        </svg>
      );
    case 'external':
      return (
        <svg {...common}>
          <path d="M7 18h10a4 4 0 0 0 .5-7.97A6 6 0 0 0 6.1 9.5 4.3 4.3 0 0 0 7 18z" />
        </svg>
      );
  }
}
