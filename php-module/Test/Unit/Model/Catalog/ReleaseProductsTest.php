<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\Catalog;

use Magento\Framework\Event\ManagerInterface;
use Magento\Framework\Exception\NoSuchEntityException;
use Magento\Framework\Indexer\CacheContext;
use Magento\Framework\Indexer\IndexerInterface;
use Magento\Framework\Indexer\IndexerRegistry;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Catalog\GetQuarantinedProducts;
use MagentoIr\IncidentResponse\Model\Catalog\ProductIndexAndCache;
use MagentoIr\IncidentResponse\Model\Catalog\ProductStatusStore;
use MagentoIr\IncidentResponse\Model\Catalog\ReleaseProducts;
use MagentoIr\IncidentResponse\Test\Unit\Support\FakeDb;
use MagentoIr\IncidentResponse\Test\Unit\Support\Fixtures;
use PHPUnit\Framework\TestCase;

final class ReleaseProductsTest extends TestCase
{
    private FakeDb $db;
    /** @var list<array{0: string, 1: list<int>}> */
    private array $reindexed = [];

    private function recorded(): FakeDb
    {
        return (new FakeDb($this))
            ->answer('/SELECT 1 FROM magento_ir_quarantine WHERE/', '1')
            ->answer('/FROM eav_attribute/', '97')
            ->answer('/FROM magento_ir_quarantine_item AS i/', [
                [
                    'quarantine_id' => '3',
                    'product_id' => '4',
                    'sku' => 'IR-SKU-001',
                    'store_id' => '0',
                    'prior_status' => '1',
                    'created_at' => Fixtures::NOW_DATE,
                ],
                [
                    'quarantine_id' => '3',
                    'product_id' => '5',
                    'sku' => 'IR-SKU-002',
                    'store_id' => '0',
                    'prior_status' => '1',
                    'created_at' => Fixtures::NOW_DATE,
                ],
                [
                    'quarantine_id' => '3',
                    'product_id' => '5',
                    'sku' => 'IR-SKU-002',
                    'store_id' => '2',
                    'prior_status' => '2',
                    'created_at' => Fixtures::NOW_DATE,
                ],
                [
                    'quarantine_id' => '3',
                    'product_id' => '7',
                    'sku' => 'NEW-SKU',
                    'store_id' => '0',
                    'prior_status' => null,
                    'created_at' => Fixtures::NOW_DATE,
                ],
            ])
            ->answer('/COUNT\(\*\) FROM magento_ir_quarantine_item/', '0')
            ->answer('/LAST_INSERT_ID/', '12');
    }

    private function service(): ReleaseProducts
    {
        $registry = $this->getMockBuilder(IndexerRegistry::class)->disableOriginalConstructor()->getMock();
        $registry->method('get')->willReturnCallback(function ($id) {
            if ($id === 'catalogsearch_fulltext') {
                throw new \InvalidArgumentException('catalogsearch_fulltext indexer does not exist.');
            }
            $indexer = $this->getMockBuilder(IndexerInterface::class)->getMock();
            $indexer->method('isScheduled')->willReturn($id === 'catalog_product_attribute');
            $indexer->method('reindexList')->willReturnCallback(function ($ids) use ($id) {
                $this->reindexed[] = [$id, $ids];
            });
            return $indexer;
        });
        return new ReleaseProducts(
            Fixtures::runner($this, $this->db),
            new Input(),
            new ProductStatusStore($this->db->resource),
            new ProductIndexAndCache(
                $this->getMockBuilder(CacheContext::class)->onlyMethods([])->getMock(),
                $this->getMockBuilder(ManagerInterface::class)->getMock(),
                $registry
            ),
            Fixtures::clock($this)
        );
    }

    public function testRestoresExactlyTheRecordedRowsAndRemovesRowsTheQuarantineAdded(): void
    {
        $this->db = $this->recorded();
        $result = $this->service()->execute(3, 'cleaned', null, ['IR-SKU-001', 'IR-SKU-002', 'NEW-SKU', 'OTHER']);

        self::assertSame([
            ['attribute_id' => 97, 'store_id' => 0, 'entity_id' => 4, 'value' => 1],
            ['attribute_id' => 97, 'store_id' => 0, 'entity_id' => 5, 'value' => 1],
            ['attribute_id' => 97, 'store_id' => 2, 'entity_id' => 5, 'value' => 2],
        ], $this->db->calls('insertOnDuplicate', 'catalog_product_entity_int')[0][2]);
        $deletes = array_map(static fn ($call) => $call[2], $this->db->calls('delete', 'catalog_product_entity_int'));
        self::assertSame([
            ['attribute_id = ?' => 97, 'entity_id = ?' => 4, 'store_id NOT IN (0)'],
            ['attribute_id = ?' => 97, 'entity_id = ?' => 5, 'store_id NOT IN (0,2)'],
            // No value existed before the quarantine: the one it created goes.
            ['attribute_id = ?' => 97, 'entity_id = ?' => 7, '1 = 1'],
        ], $deletes);
        self::assertSame(3, $result->getReleased());
        self::assertSame(['released', 'released', 'released', 'not_quarantined'], array_map(
            static fn ($item) => $item->getResult(),
            $result->getItems()
        ));
        self::assertSame('OTHER', $result->getItems()[3]->getSku());
        // Indexers that exist and are "update on save" get the ids; a disabled module's indexer is skipped. Stock
        // comes first: quarantine's Product\Action dropped the disabled products' stock-status rows, and the
        // price and search indexers leave out a product without one (it stayed invisible on the storefront).
        self::assertSame([
            ['cataloginventory_stock', [4, 5, 7]],
            ['catalog_product_category', [4, 5, 7]],
            ['catalog_product_price', [4, 5, 7]],
        ], $this->reindexed);
    }

    public function testReleasedItemsAndTheWholeQuarantineAreMarked(): void
    {
        $this->db = $this->recorded();
        $this->service()->execute(3, 'cleaned');

        $item = $this->db->calls('update', ProductStatusStore::ITEM_TABLE)[0];
        self::assertSame(['released_at' => Fixtures::NOW_DATE], $item[2]);
        self::assertSame(['quarantine_id = ?' => 3, 'product_id IN (4,5,7)', 'released_at IS NULL'], $item[3]);
        self::assertCount(1, $this->db->calls('update', ProductStatusStore::QUARANTINE_TABLE));
    }

    public function testUnknownQuarantineIsNotFound(): void
    {
        $this->db = new FakeDb($this);
        try {
            $this->service()->execute(99, 'cleaned');
            self::fail('Expected NoSuchEntityException.');
        } catch (NoSuchEntityException $exception) {
            self::assertSame(['fieldName' => 'quarantineId', 'fieldValue' => 99], $exception->getParameters());
        }
        self::assertSame(['rejected'], Fixtures::loggedStatuses($this->db));
    }

    public function testListGroupsActiveRowsPerProductWithPriorStatuses(): void
    {
        $this->db = $this->recorded();
        $list = (new GetQuarantinedProducts(new ProductStatusStore($this->db->resource)))->execute();

        self::assertSame(3, $list->getTotalCount());
        self::assertSame('IR-SKU-002', $list->getItems()[1]->getSku());
        self::assertSame([[0, 1], [2, 2]], array_map(
            static fn ($status) => [$status->getStoreId(), $status->getStatus()],
            $list->getItems()[1]->getPriorStatuses()
        ));
        self::assertSame([], $list->getItems()[2]->getPriorStatuses());
    }
}
