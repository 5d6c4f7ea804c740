/**
 * A circuit breaker per isolate: after `failureThreshold` consecutive upstream
 * failures, stop calling KeyAPI for `openMs` (answer from stale or 503), then
 * let a single trial call through (half-open) to decide whether to close again.
 * Only failures that say KeyAPI itself is unwell count (`Blame`): a refusal of
 * one client's input must not switch calls off for every other client.
 */
import type { Blame } from "../domain/problems";

export type BreakerState = "closed" | "open" | "half-open";

/** `trial`: this admission is the half-open breaker's one trial. */
export type Admission = { allowed: true; trial: boolean } | { allowed: false; retryAfterMs: number };

export class CircuitBreaker {
  readonly #failureThreshold: number;
  readonly #openMs: number;
  #failures = 0;
  #openUntil = 0;
  #trialInFlight = false;

  /** @example new CircuitBreaker({ failureThreshold: 5, openMs: 30_000 }) */
  constructor(options: { failureThreshold: number; openMs: number }) {
    this.#failureThreshold = options.failureThreshold;
    this.#openMs = options.openMs;
  }

  state(now: number): BreakerState {
    if (this.#failures < this.#failureThreshold) return "closed";
    return now < this.#openUntil || this.#trialInFlight ? "open" : "half-open";
  }

  /** Asks to call the upstream now; a half-open breaker admits exactly one trial. */
  admit(now: number): Admission {
    const state = this.state(now);
    if (state === "closed") return { allowed: true, trial: false };
    if (state === "half-open") {
      this.#trialInFlight = true;
      return { allowed: true, trial: true };
    }
    return { allowed: false, retryAfterMs: Math.max(1000, this.#openUntil - now) };
  }

  succeeded(): void {
    this.#failures = 0;
    this.#trialInFlight = false;
  }

  /**
   * Settles an admission with what its work showed: an answered call closes the
   * breaker, a failed call blamed on KeyAPI counts towards opening it, and
   * anything else (no call made, or KeyAPI refusing one client's input) says
   * nothing about KeyAPI's health either way: a trial goes back unused.
   */
  settle(admission: Admission, now: number, outcome: { called: boolean; ok: boolean; blame?: Blame }): void {
    if (outcome.called && outcome.ok) this.succeeded();
    else if (outcome.called && outcome.blame === "upstream") this.failed(now);
    else this.release(admission);
  }

  /** The admitted work made no call after all (a copy was found): a trial goes back unused. */
  release(admission: Admission): void {
    if (admission.allowed && admission.trial) this.#trialInFlight = false;
  }

  failed(now: number): void {
    this.#failures += 1;
    this.#trialInFlight = false;
    if (this.#failures >= this.#failureThreshold) this.#openUntil = now + this.#openMs;
  }
}
