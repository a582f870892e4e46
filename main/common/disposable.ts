// Disposables and a tiny typed emitter (VS Code's onX convention) shared by every layer.

export type Disposable = { dispose(): void };

export const toDisposable = (fn: () => void): Disposable => {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      fn();
    },
  };
};

export class DisposableStore implements Disposable {
  #items: Disposable[] = [];
  #disposed = false;

  add<T extends Disposable>(item: T): T {
    if (this.#disposed) item.dispose();
    else this.#items.push(item);
    return item;
  }

  dispose(): void {
    this.#disposed = true;
    const items = this.#items.splice(0).reverse();
    for (const item of items) item.dispose();
  }
}

export type Listener<T> = (value: T) => void;

export class Emitter<T> {
  #listeners = new Set<Listener<T>>();

  /** Subscribe; the returned Disposable unsubscribes. */
  readonly event = (listener: Listener<T>): Disposable => {
    this.#listeners.add(listener);
    return toDisposable(() => this.#listeners.delete(listener));
  };

  fire(value: T): void {
    for (const listener of [...this.#listeners]) listener(value);
  }

  get size(): number {
    return this.#listeners.size;
  }
}
