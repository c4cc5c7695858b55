/**
 * The pay sheet the H5 build shows in place of WeChat's (see payment.h5.ts and components/pay-sheet): a request
 * is held here until the user answers it. One at a time; a new request cancels the one before.
 */
export interface PaySheetRequest {
  amountFen: number;
  description: string;
}

interface Pending extends PaySheetRequest {
  answer: (confirmed: boolean) => void;
}

let pending: Pending | undefined;
const listeners = new Set<() => void>();

/** Shows the sheet; resolves `true` when the user confirms, `false` when they cancel. */
export function askPaySheet(request: PaySheetRequest): Promise<boolean> {
  pending?.answer(false);
  return new Promise((resolve) => {
    pending = {
      ...request,
      answer: (confirmed) => {
        if (pending?.answer !== current) return;
        pending = undefined;
        notify();
        resolve(confirmed);
      },
    };
    const current = pending.answer;
    notify();
  });
}

/** The request on screen, if any. */
export function currentPaySheet(): PaySheetRequest | undefined {
  return pending;
}

/** The user's answer to the request on screen. */
export function answerPaySheet(confirmed: boolean): void {
  pending?.answer(confirmed);
}

/** Calls `listener` whenever the sheet opens or closes; returns the function that stops it. */
export function onPaySheetChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

function notify(): void {
  for (const listener of [...listeners]) listener();
}
