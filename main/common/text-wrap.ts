// Word wrap for terminal text (`egpu explain`, `egpu doctor`, `egpu restart-compositor`) and
// notification bodies. Pure.

/**
 * Greedy word wrap. Words longer than the width stay whole, and so does a `code span`: a command
 * in backticks stays on one line, so it can be copied as it is.
 */
export function wrapText(text: string, width: number, indent: string): string[] {
  const tokens = text.match(/`[^`]*`\S*|\S+/g) ?? [];
  const lines: string[] = [];
  let line = '';
  for (const word of tokens) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}
