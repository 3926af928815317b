/** Helpers for component tests: a clean page store before each test. */
import { cleanup } from '@testing-library/react';
import { afterEach, beforeEach } from 'vitest';
import { appStore } from './store/store';
import type { AppState } from './store/types';

const initial = appStore.getState();

/** Resets the page's store before each test (and unmounts after), with `patch` applied. */
export function withFreshStore(): void {
  beforeEach(() => {
    appStore.setState(initial, true);
  });
  afterEach(() => {
    cleanup();
  });
}

export function setStore(patch: Partial<AppState>): void {
  appStore.setState(patch);
}

export const CONNECTED = {
  status: 'connected',
  attempt: 0,
  retryAt: null,
  everConnected: true,
} as const satisfies AppState['connection'];
