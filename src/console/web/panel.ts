// A console panel: one <section> of the page, redrawn from the console state (pushed by the
// event stream) and, for the traffic panel, from the metrics. A new panel is a module with a
// `Panel` and one line in app.ts's list.
import type { ConsoleState } from '../state.ts';

/** One panel of the console page. */
export interface Panel {
  /** The section's id and heading. */
  readonly id: string;
  readonly title: string;
  /** Builds the panel's content element, once. */
  mount(body: HTMLElement): void;
  /** Redraws from a new state. */
  update(state: ConsoleState): void;
}
