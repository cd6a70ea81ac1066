/**
 * Messages, their moderation and the white cell's rubric scores commute with
 * the game: they never go stale and need no game version. Its own side-effect-free module, so the browser
 * client can use the rule without bundling the engine.
 */
export function isMessageSide(command: { type: string }): boolean {
  return command.type === 'SEND_MESSAGE' || command.type === 'HIDE_MESSAGE' || command.type === 'SCORE_TEAM';
}
