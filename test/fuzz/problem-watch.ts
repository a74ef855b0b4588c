// What a fuzzed process must never do, collected as it happens: throw past every handler
// (uncaught exceptions, unhandled rejections), log an internal error, or hand an app a SIP
// message its drachtio-srf cannot parse (drachtio-srf reports those with console.error and
// drops the message, leaving the request unanswered).
export interface ProblemWatch {
  /** A pino destination collecting error-level lines. */
  logStream: { write(line: string): void };
  drain(): string[];
  stop(): void;
}

export function watchProblems(): ProblemWatch {
  const problems: string[] = [];
  const onUncaught = (err: Error) => problems.push(`uncaught exception: ${err.stack ?? err}`);
  const onRejection = (err: unknown) =>
    problems.push(`unhandled rejection: ${(err as Error)?.stack ?? String(err)}`);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onRejection);
  const consoleError = console.error;
  console.error = (...args: unknown[]) => {
    const text = args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
    if (/unable to parse/i.test(text))
      problems.push(`drachtio-srf: ${JSON.stringify(text.slice(0, 3000))}`);
    else consoleError(...args);
  };
  return {
    logStream: {
      write(line: string) {
        const entry = JSON.parse(line) as { level: number; msg: string; err?: { stack?: string } };
        if (entry.level >= 50)
          problems.push(`logged error: ${entry.msg} ${entry.err?.stack ?? ''}`);
      },
    },
    drain: () => problems.splice(0),
    stop() {
      process.off('uncaughtException', onUncaught);
      process.off('unhandledRejection', onRejection);
      console.error = consoleError;
    },
  };
}
