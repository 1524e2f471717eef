// Lets a submit wake an idle in-process worker at once instead of at its next poll.
export class BatchSubmitted {
  private listeners: Array<() => void> = [];
  subscribe(listener: () => void): void {
    this.listeners.push(listener);
  }
  notify(): void {
    for (const listener of this.listeners) listener();
  }
}
