// The behaviour every ContainerTypeRepository must show.
import { ContainerTypeRepository } from '../container-type-repository.port';
import { aContainerType } from './builders';

export interface ContainerTypeRepositoryFixture {
  repository: ContainerTypeRepository;
  close?: () => Promise<void>;
}

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
  });
}
