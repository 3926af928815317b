import type { StateCreator } from 'zustand';
import type { AgentSlice } from './agentSlice';
import type { LabSlice } from './labSlice';
import type { LiveSlice } from './liveSlice';
import type { UiSlice } from './uiSlice';

/** The one store: the lab (with undo), the agent connection, the live tables, the UI. */
export type AppState = LabSlice & AgentSlice & LiveSlice & UiSlice;

export type SliceCreator<T> = StateCreator<AppState, [], [], T>;
