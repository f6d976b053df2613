<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\Catalog;

use Magento\Catalog\Model\Product\Action as ProductAction;
use Magento\Framework\Event\ManagerInterface;
use Magento\Framework\Exception\InputException;
use Magento\Framework\Indexer\CacheContext;
use Magento\Framework\Indexer\IndexerRegistry;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Catalog\ProductIndexAndCache;
use MagentoIr\IncidentResponse\Model\Catalog\ProductStatusStore;
use MagentoIr\IncidentResponse\Model\Catalog\QuarantineProducts;
use MagentoIr\IncidentResponse\Test\Unit\Support\FakeDb;
use MagentoIr\IncidentResponse\Test\Unit\Support\Fixtures;
use PHPUnit\Framework\TestCase;

final class QuarantineProductsTest extends TestCase
{
    private FakeDb $db;
    /** @var list<array{0: list<int>, 1: array<string, mixed>, 2: int}> */
    private array $updates = [];
    /** @var list<array{0: string, 1: list<string>}> */
    private array $events = [];

    private function service(?\Throwable $updateFails = null): QuarantineProducts
    {
        $action = $this->getMockBuilder(ProductAction::class)->disableOriginalConstructor()->getMock();
        $action->method('updateAttributes')->willReturnCallback(
            function ($ids, $data, $storeId) use ($action, $updateFails) {
                if ($updateFails !== null) {
                    throw $updateFails;
                }
                $this->updates[] = [$ids, $data, $storeId];
                return $action;
            }
        );
        $events = $this->getMockBuilder(ManagerInterface::class)->getMock();
        $events->method('dispatch')->willReturnCallback(function ($name, array $data = []) {
            $this->events[] = [$name, $data['object']->getIdentities()];
        });
        $cacheContext = $this->getMockBuilder(CacheContext::class)->onlyMethods([])->getMock();
        $indexers = $this->getMockBuilder(IndexerRegistry::class)->disableOriginalConstructor()->getMock();
        return new QuarantineProducts(
            Fixtures::runner($this, $this->db),
            new Input(),
            new ProductStatusStore($this->db->resource),
            $action,
            new ProductIndexAndCache($cacheContext, $events, $indexers),
            Fixtures::clock($this)
        );
    }

    private function catalog(): FakeDb
    {
        return (new FakeDb($this))
            ->answer(
                '/SELECT sku, entity_id FROM catalog_product_entity/',
                ['IR-SKU-001' => '4', 'IR-SKU-002' => '5', 'IR-SKU-003' => '6']
            )
            ->answer('/FROM eav_attribute/', '97')
            ->answer('/SELECT DISTINCT product_id FROM magento_ir_quarantine_item/', ['6'])
            ->answer('/FROM catalog_product_entity_int/', [
                ['entity_id' => '4', 'store_id' => '0', 'value' => '1'],
                ['entity_id' => '5', 'store_id' => '0', 'value' => '1'],
                ['entity_id' => '5', 'store_id' => '2', 'value' => '1'],
            ])
            ->answer('/LAST_INSERT_ID/', '3');
    }

    public function testDisablesEveryScopeWithIntStatusAndListsUnknownAndBusySkus(): void
    {
        $this->db = $this->catalog();

        $result = $this->service()->execute(
            ['IR-SKU-001', 'ir-sku-002', 'NO-SUCH', 'IR-SKU-003', 'IR-SKU-001'],
            'skimmer'
        );

        // Default scope first, then each store view that overrides it; status is the int 2 (quote plugin trap).
        self::assertSame([[[4, 5], ['status' => 2], 0], [[5], ['status' => 2], 2]], $this->updates);
        self::assertSame(3, $result->getQuarantineId());
        self::assertSame(4, $result->getRequested());
        self::assertSame(2, $result->getQuarantined());
        $items = array_map(
            static fn ($item) => [$item->getSku(), $item->getResult(), $item->getProductId()],
            $result->getItems()
        );
        self::assertSame([
            ['IR-SKU-001', 'quarantined', 4],
            ['ir-sku-002', 'quarantined', 5],
            ['NO-SUCH', 'not_found', null],
            ['IR-SKU-003', 'already_quarantined', 6],
        ], $items);
        $prior = array_map(
            static fn ($status) => [$status->getStoreId(), $status->getStatus()],
            $result->getItems()[1]->getPriorStatuses()
        );
        self::assertSame([[0, 1], [2, 1]], $prior);
    }

    public function testPriorStatusOfEveryScopeIsRecordedBeforeDisabling(): void
    {
        $this->db = $this->catalog();
        $this->service()->execute(['IR-SKU-001', 'IR-SKU-002'], 'skimmer', 'INC-7');

        self::assertSame(
            ['created_at' => Fixtures::NOW_DATE, 'reason' => 'skimmer', 'incident_id' => 'INC-7'],
            $this->db->calls('insert', ProductStatusStore::QUARANTINE_TABLE)[0][2]
        );
        $rows = $this->db->calls('insertMultiple', ProductStatusStore::ITEM_TABLE)[0][2];
        self::assertSame([
            ['quarantine_id' => 3, 'product_id' => 4, 'sku' => 'IR-SKU-001', 'store_id' => 0, 'prior_status' => 1],
            ['quarantine_id' => 3, 'product_id' => 5, 'sku' => 'IR-SKU-002', 'store_id' => 0, 'prior_status' => 1],
            ['quarantine_id' => 3, 'product_id' => 5, 'sku' => 'IR-SKU-002', 'store_id' => 2, 'prior_status' => 1],
        ], $rows);
    }

    public function testPageCacheIsCleanedForTheProductsAfterCommit(): void
    {
        $this->db = $this->catalog();
        $this->service()->execute(['IR-SKU-001', 'IR-SKU-002'], 'skimmer');

        self::assertSame([['clean_cache_by_tags', ['cat_p_4', 'cat_p_5']]], $this->events);
    }

    public function testOnlyUnknownSkusChangeNothingAndCreateNoQuarantine(): void
    {
        $this->db = (new FakeDb($this))->answer('/LAST_INSERT_ID/', '3');
        $result = $this->service()->execute(['NOPE-1', 'NOPE-2'], 'skimmer');

        self::assertNull($result->getQuarantineId());
        self::assertSame(0, $result->getQuarantined());
        self::assertSame([], $this->updates);
        self::assertSame([], $this->db->calls('insert', ProductStatusStore::QUARANTINE_TABLE));
    }

    public function testAFailedUpdateRollsEverythingBack(): void
    {
        $this->db = $this->catalog();
        try {
            $this->service(new \RuntimeException('deadlock'))->execute(['IR-SKU-001'], 'skimmer');
            self::fail('Expected the update error.');
        } catch (\RuntimeException $exception) {
            self::assertSame('deadlock', $exception->getMessage());
        }
        self::assertContains('rollBack', $this->db->sequence());
        self::assertNotContains(
            'commit',
            array_slice($this->db->sequence(), 0, array_search('rollBack', $this->db->sequence(), true))
        );
        self::assertSame([], $this->events);
    }

    public function testMoreThanTenThousandSkusAreRefused(): void
    {
        $this->db = new FakeDb($this);
        $skus = array_map(static fn (int $i): string => 'SKU-' . $i, range(1, 10001));
        $this->expectException(InputException::class);
        $this->service()->execute($skus, 'skimmer');
    }

    public function testEmptySkuListIsRequired(): void
    {
        $this->db = new FakeDb($this);
        $this->expectExceptionMessage('"skus" is required. Enter and try again.');
        $this->service()->execute([], 'skimmer');
    }
}
