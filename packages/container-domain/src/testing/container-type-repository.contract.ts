// The behaviour every ContainerTypeRepository must show.
import { ContainerTypeRepository } from '../container-type-repository.port';
import { aContainerType } from './builders';

export interface ContainerTypeRepositoryFixture {
  repository: ContainerTypeRepository;
  close?: () => Promise<void>;
  /** The same store opened again, as another process would (its own connection); the races use it. */
  rival?: () => Promise<ContainerTypeRepositoryFixture>;
}

/** How many requests race to define one type. */
const RACERS = 12;

export function describeContainerTypeRepositoryContract(name: string, open: () => Promise<ContainerTypeRepositoryFixture>): void {
  describe(`ContainerTypeRepository contract: ${name}`, () => {
    let fixture: ContainerTypeRepositoryFixture;
    let repository: ContainerTypeRepository;
    beforeEach(async () => {
      fixture = await open();
      repository = fixture.repository;
    });
    afterEach(async () => {
      await fixture.close?.();
    });

    it('stores a type with its whole attribute configuration', async () => {
      const type = aContainerType({ isLeaf: true }, 1000, { id: 'u1', name: 'Ada' });
      expect(await repository.add(type)).toBe('added');
      expect((await repository.find('acme', 'bag'))!.toSnapshot()).toEqual(type.toSnapshot());
    });

    it('says exists for a second type of the same name, keeping the first', async () => {
      await repository.add(aContainerType({ isLeaf: false }));
      expect(await repository.add(aContainerType({ isLeaf: true }))).toBe('exists');
      expect((await repository.find('acme', 'bag'))!.isLeaf).toBe(false);
    });

    it('adds a type once when many requests define it at the same time; the others are told it exists, without an error', async () => {
      const rival = fixture.rival ? await fixture.rival() : fixture;
      try {
        const repositories = [repository, rival.repository];
        const answers = await Promise.all(
          Array.from({ length: RACERS }, (_, i) => repositories[i % 2]!.add(aContainerType({ isLeaf: i % 2 === 0 }, 1000 + i))),
        );
        expect(answers.filter((answer) => answer === 'added')).toHaveLength(1);
        expect(answers.filter((answer) => answer === 'exists')).toHaveLength(RACERS - 1);
        const winner = answers.indexOf('added');
        expect((await repository.find('acme', 'bag'))!.toSnapshot().createdAt).toBe(1000 + winner);
      } finally {
        if (rival !== fixture) await rival.close?.();
      }
    });

    it('treats names as case-sensitive', async () => {
      await repository.add(aContainerType({ name: 'bag' }));
      expect(await repository.add(aContainerType({ name: 'Bag' }))).toBe('added');
      expect(await repository.find('acme', 'BAG')).toBeNull();
    });

    it("hides another tenant's type", async () => {
      await repository.add(aContainerType());
      expect(await repository.find('globex', 'bag')).toBeNull();
      expect(await repository.add(aContainerType({ tenantId: 'globex' }))).toBe('added');
    });

    it('saves a replaced attribute configuration', async () => {
      const type = aContainerType();
      await repository.add(type);
      type.replaceAttributes([{ name: 'seal', dataType: 'string' }], 2000, null);
      await repository.save(type);
      const stored = (await repository.find('acme', 'bag'))!.toSnapshot();
      expect(stored.attributes).toEqual([{ name: 'seal', dataType: 'string', required: false }]);
      expect(stored.updatedAt).toBe(2000);
    });

    it('lists a tenant’s types by name, page by page', async () => {
      for (const name of ['pallet', 'bag', 'box', 'crate']) await repository.add(aContainerType({ name }));
      await repository.add(aContainerType({ tenantId: 'globex', name: 'cage' }));
      const first = await repository.list('acme', { limit: 3 });
      expect(first.items.map((t) => t.name)).toEqual(['bag', 'box', 'crate']);
      expect(first.nextAfter).toBe('crate');
      const second = await repository.list('acme', { limit: 3, after: first.nextAfter });
      expect(second.items.map((t) => t.name)).toEqual(['pallet']);
      expect(second.nextAfter).toBeNull();
    });

    it('lists names in byte order, capitals first, and pages on that order', async () => {
      for (const name of ['abc', 'Abd', 'ABE', 'zulu', 'Zed', 'beta', 'Beta']) await repository.add(aContainerType({ name }));
      const first = await repository.list('acme', { limit: 4 });
      expect(first.items.map((t) => t.name)).toEqual(['ABE', 'Abd', 'Beta', 'Zed']);
      const second = await repository.list('acme', { limit: 4, after: first.nextAfter });
      expect(second.items.map((t) => t.name)).toEqual(['abc', 'beta', 'zulu']);
    });
  });
}
