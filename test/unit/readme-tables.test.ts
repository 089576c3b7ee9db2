/** The README's reference sections list exactly what the code defines: environment variables, CLI flags. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main, type Io } from '../../cli/main';
import { ENV } from '../../shared/config';

const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

/** The text of the README section `## title`, up to the next `## ` heading. */
function section(markdown: string, title: string): string {
  const start = markdown.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no "## ${title}" section`);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

/** The first column (`NAME` in backticks) of every row of the table headed `| Variable |`. */
function tableVariables(markdown: string): string[] {
  const lines = markdown.split('\n');
  const header = lines.findIndex((line) => /^\|\s*Variable\s*\|/.test(line));
  if (header < 0) throw new Error('no "| Variable |" table');
  const rows: string[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const name = /^\|\s*`([A-Z0-9_]+)`\s*\|/.exec(line);
    if (!name) throw new Error(`table row without a variable name: ${line}`);
    rows.push(name[1]);
  }
  return rows;
}

describe('README configuration table', () => {
  it("lists exactly the environment variables of shared/config.ts ENV (plus the logger's), each once", () => {
    // Given the README's Configuration section, and the one variable read outside ENV (by the logger)
    const names = tableVariables(section(README, 'Configuration'));
    const logger = readFileSync(join(__dirname, '..', '..', 'shared', 'logger.ts'), 'utf8');
    const outsideEnv = [...logger.matchAll(/process\.env\.([A-Z0-9_]+)/g)].map((m) => m[1]);
    expect(outsideEnv).toEqual(['LOG_LEVEL']);

    // Then its variables are those, no more, no fewer, no duplicates
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual([...Object.values(ENV), ...outsideEnv].sort());
  });

  it('reads a table row by row and notices a missing or extra row', () => {
    const table =
      '| Variable | Meaning | Default |\n| --- | --- | --- |\n| `A_B` | x | y |\n| `C` | z | w |\n\nafter';
    expect(tableVariables(table)).toEqual(['A_B', 'C']);
    expect(() => tableVariables('| Name |\n| --- |\n')).toThrow(/no "\| Variable \|" table/);
    expect(() => tableVariables('| Variable |\n| --- |\n| plain | x |\n')).toThrow(/without a variable name/);
  });
});

/** Runs the CLI with `args` and returns what it printed (help goes to stdout). */
async function help(args: string[]): Promise<string> {
  let text = '';
  const io: Io = { out: (t) => (text += t), err: (t) => (text += t), interactive: false };
  await main(['node', 'gt-remediate', ...args], io);
  return text;
}

/** The long flags listed in a commander help text's Options section. */
function helpFlags(text: string): string[] {
  const options = text.split(/\nOptions:\n/)[1]?.split(/\n\S/)[0] ?? '';
  return [...options.matchAll(/^\s+(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]);
}

/** The commands listed in a commander help text's Commands section. */
function helpCommands(text: string): string[] {
  const commands = text.split(/\nCommands:\n/)[1] ?? '';
  return [...commands.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]).filter((c) => c !== 'help');
}

describe('README CLI synopsis', () => {
  it('names every command and every option commander defines', async () => {
    // Given the README's CLI section
    const documented = section(README, 'CLI');
    const commands = helpCommands(await help(['--help']));
    expect(commands).toEqual(expect.arrayContaining(['check', 'fix', 'scan', 'selftest']));

    // Then each command, and each of its options, appears there
    const missing: string[] = [];
    for (const command of commands) {
      if (!new RegExp(`gt-remediate ${command}\\b`).test(documented)) missing.push(command);
      for (const flag of helpFlags(await help([command, '--help']))) {
        if (flag === '--help') continue;
        const synopsis = documented
          .split('\n')
          .filter((line) => new RegExp(`gt-remediate ${command}\\b`).test(line))
          .join('\n');
        if (!new RegExp(`${flag}(?![a-z-])`).test(synopsis)) missing.push(`${command} ${flag}`);
      }
    }
    for (const flag of helpFlags(await help(['--help']))) {
      if (flag !== '--help' && !new RegExp(`gt-remediate ${flag}(?![a-z-])`).test(documented))
        missing.push(flag);
    }
    expect(missing).toEqual([]);
  });
});
