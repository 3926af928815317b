/**
 * The one store, made of slices. `createAppStore` makes a fresh one (tests); `appStore` is the
 * page's, used by React through `useApp` and by code outside React (the WebSocket client)
 * through `appStore.getState()`.
 */
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { createAgentSlice } from './agentSlice';
import { createLabSlice } from './labSlice';
import { createLiveSlice } from './liveSlice';
import type { AppState } from './types';
import { createUiSlice } from './uiSlice';

export type AppStore = StoreApi<AppState>;

export function createAppStore(): AppStore {
  return createStore<AppState>()((...a) => ({
    ...createLabSlice(...a),
    ...createAgentSlice(...a),
    ...createLiveSlice(...a),
    ...createUiSlice(...a),
  }));
}

export const appStore = createAppStore();

export function useApp<T>(selector: (state: AppState) => T): T {
  return useStore(appStore, selector);
}

export type { AppState };
