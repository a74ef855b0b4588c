// The prompt files, checked at start-up: a missing or unplayable WAV stops the start with
// a line naming the file (see media/prompt-validator.ts).
import { validatePrompt, type PromptFile } from '../../media';
import type { HoldfastConfig } from '../config/config-types';

export async function loadPrompts(config: HoldfastConfig) {
  const [agentDisconnected, primaryDisconnected, waitMusic] = await Promise.all([
    validatePrompt(config.prompts.agentDisconnected),
    validatePrompt(config.prompts.primaryDisconnected),
    validatePrompt(config.prompts.waitMusic),
  ]);
  const overflow: PromptFile | undefined = config.prompts.overflow
    ? await validatePrompt(config.prompts.overflow)
    : undefined;
  return { agentDisconnected, primaryDisconnected, waitMusic, overflow };
}
