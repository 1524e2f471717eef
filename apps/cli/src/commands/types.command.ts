// `types create|get|list|attributes`: the container types of the tenant (contract §9).
import { Command } from 'commander';
import type { AttributeConfig } from '@container-service/client';
import { CliError, EXIT_OK } from '../cli-error';
import { readJsonFile } from '../files';
import type { Io } from '../io';
import { writeLine } from '../io';
import { clientFor, exitWith } from './command-support';

export function typesCommand(io: Io): Command {
  const types = new Command('types').description('create and read container types and their attribute configuration');

  types
    .command('create')
    .description('create a container type')
    .argument('<name>', 'the type name: 3 to 16 letters, case-sensitive')
    .option('--leaf', 'a leaf type (its containers hold items)', false)
    .option('--attributes <file.json>', 'its attribute configuration: a JSON array of AttributeConfig, or {"attributes": [...]}')
    .action(
      exitWith(io, async (name: string, options: { leaf: boolean; attributes?: string }, command: Command) => {
        const attributes = options.attributes === undefined ? undefined : attributesFrom(readJsonFile(options.attributes), options.attributes);
        const created = await clientFor(io, command).createType({ name, isLeaf: options.leaf, ...(attributes === undefined ? {} : { attributes }) });
        writeLine(io.stdout, `created container type ${created.id}`);
        return EXIT_OK;
      }),
    );

  types
    .command('get')
    .description('print a container type as JSON')
    .argument('<name>', 'the type name')
    .action(
      exitWith(io, async (name: string, _options: unknown, command: Command) => {
        writeLine(io.stdout, JSON.stringify(await clientFor(io, command).getType(name), null, 2));
        return EXIT_OK;
      }),
    );

  types
    .command('list')
    .description("list the tenant's container types, one per line")
    .action(
      exitWith(io, async (_options: unknown, command: Command) => {
        const client = clientFor(io, command);
        let cursor: string | undefined;
        do {
          const page = await client.listTypes({ limit: 100, ...(cursor === undefined ? {} : { cursor }) });
          for (const type of page.items) {
            writeLine(io.stdout, `${type.name}\t${type.isLeaf ? 'leaf' : 'non-leaf'}\t${String(type.attributes.length)} attributes`);
          }
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined);
        return EXIT_OK;
      }),
    );

  types
    .command('attributes')
    .description("print a type's attribute configuration as JSON, or replace it with --set")
    .argument('<name>', 'the type name')
    .option('--set <file.json>', 'replace the configuration: a JSON array of AttributeConfig, or {"attributes": [...]}')
    .action(
      exitWith(io, async (name: string, options: { set?: string }, command: Command) => {
        const client = clientFor(io, command);
        const answer =
          options.set === undefined
            ? await client.getAttributes(name)
            : await client.replaceAttributes(name, attributesFrom(readJsonFile(options.set), options.set));
        writeLine(io.stdout, JSON.stringify(answer, null, 2));
        return EXIT_OK;
      }),
    );

  return types;
}

/** The service judges each attribute; here only the file's shape is checked. */
function attributesFrom(json: unknown, file: string): AttributeConfig[] {
  const list = Array.isArray(json) ? json : typeof json === 'object' && json !== null ? (json as { attributes?: unknown }).attributes : undefined;
  if (!Array.isArray(list)) throw new CliError(`${file} must hold a JSON array of attribute configurations, or an object with an "attributes" array`);
  return list as AttributeConfig[];
}
