export async function startCommand(_args: string[]): Promise<void> {
  throw new Error('the gateway is not built yet');
}
