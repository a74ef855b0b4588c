export async function sipserverCommand(_args: string[]): Promise<void> {
  throw new Error('the embedded SIP server is not built yet');
}
