<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\Sales;

use Magento\Framework\DB\Adapter\DuplicateException;
use Magento\Framework\Exception\InputException;
use Magento\Framework\Exception\LocalizedException;
use Magento\Framework\Exception\NoSuchEntityException;
use Magento\Framework\Phrase;
use Magento\Sales\Api\OrderManagementInterface;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\ActionLog\ActionLogWriter;
use MagentoIr\IncidentResponse\Model\Sales\HoldOrders;
use MagentoIr\IncidentResponse\Model\Sales\OrderHoldStore;
use MagentoIr\IncidentResponse\Model\Sales\UnholdOrders;
use MagentoIr\IncidentResponse\Test\Unit\Support\FakeDb;
use MagentoIr\IncidentResponse\Test\Unit\Support\Fixtures;
use PHPUnit\Framework\TestCase;

final class HoldOrdersTest extends TestCase
{
    private FakeDb $db;
    /** @var list<array{0: string, 1: int}> */
    private array $calls = [];

    /**
     * @param array<int, string> $refusals order id => Magento's message
     */
    private function management(array $refusals = []): OrderManagementInterface
    {
        $management = $this->getMockBuilder(OrderManagementInterface::class)->getMock();
        foreach (['hold', 'unHold'] as $method) {
            $management->method($method)->willReturnCallback(function ($id) use ($method, $refusals) {
                if (isset($refusals[$id])) {
                    throw new LocalizedException(new Phrase($refusals[$id]));
                }
                $this->calls[] = [$method, $id];
                return true;
            });
        }
        return $management;
    }

    /**
     * @param array<int, string> $refusals
     */
    private function hold(array $refusals = [], ?string $key = null): HoldOrders
    {
        return new HoldOrders(
            Fixtures::runner($this, $this->db, $key),
            new Input(),
            new OrderHoldStore($this->db->resource),
            $this->management($refusals),
            Fixtures::clock($this)
        );
    }

    /**
     * @param array<int, string> $refusals
     */
    private function unhold(array $refusals = []): UnholdOrders
    {
        return new UnholdOrders(
            Fixtures::runner($this, $this->db),
            new Input(),
            new OrderHoldStore($this->db->resource),
            $this->management($refusals),
            Fixtures::clock($this)
        );
    }

    /**
     * @return array<string, string>
     */
    private static function order(int $id, string $state, string $status): array
    {
        return [
            'entity_id' => (string) $id,
            'increment_id' => sprintf('%09d', $id),
            'state' => $state,
            'status' => $status,
        ];
    }

    /**
     * @return list<array<string, string>>
     */
    private static function namedOrders(): array
    {
        return [self::order(12, 'holded', 'holded'), self::order(13, 'complete', 'complete')];
    }

    /**
     * @return array<string, int|string>
     */
    private static function held(int $id, string $state, string $status): array
    {
        $incrementId = sprintf('%09d', $id);
        return [
            'order_id' => $id,
            'increment_id' => $incrementId,
            'result' => 'held',
            'prior_state' => $state,
            'prior_status' => $status,
        ];
    }

    private function shop(): FakeDb
    {
        return (new FakeDb($this))
            ->answer('/FROM sales_order WHERE status IN/', [
                self::order(7, 'new', 'pending'),
                self::order(8, 'processing', 'processing'),
                self::order(9, 'payment_review', 'processing'),
            ])
            ->answer('/FROM sales_order WHERE entity_id IN/', self::namedOrders())
            ->answer('/LAST_INSERT_ID/', '3');
    }

    public function testHoldsThroughOrderManagementAndReportsMagentosRefusal(): void
    {
        $this->db = $this->shop();

        $result = $this->hold([9 => 'A hold action is not available.'])->execute(
            'skimmer',
            ['pending', 'processing', 'pending'],
            'INC-7',
            [],
            '2024-05-01 02:00:00'
        );

        self::assertSame([['hold', 7], ['hold', 8]], $this->calls);
        self::assertSame(3, $result->getHoldId());
        self::assertSame([3, 2, 0], [$result->getMatched(), $result->getHeld(), $result->getRemaining()]);
        self::assertSame([
            self::held(7, 'new', 'pending'),
            self::held(8, 'processing', 'processing'),
            [
                'order_id' => 9,
                'increment_id' => '000000009',
                'result' => 'not_held',
                'prior_state' => 'payment_review',
                'prior_status' => 'processing',
                'message' => 'A hold action is not available.',
            ],
        ], array_map(static fn ($item): array => $item->toArray(), $result->getItems()));
        $select = $this->db->calls('fetchAll')[0][1];
        self::assertStringContainsString("status IN ('pending', 'processing')", $select);
        self::assertStringContainsString("created_at >= '2024-05-01 02:00:00'", $select);
        self::assertStringContainsString('ORDER BY entity_id LIMIT 10000', $select);
    }

    public function testOnlyTheOrdersItHeldAreRecordedAndLogged(): void
    {
        $this->db = $this->shop();
        $this->hold([9 => 'A hold action is not available.'])
            ->execute('skimmer', ['pending', 'processing'], 'INC-7');

        self::assertSame(
            ['created_at' => Fixtures::NOW_DATE, 'reason' => 'skimmer', 'incident_id' => 'INC-7'],
            $this->db->calls('insert', OrderHoldStore::HOLD_TABLE)[0][2]
        );
        self::assertSame([
            [
                'hold_id' => 3,
                'order_id' => 7,
                'increment_id' => '000000007',
                'prior_state' => 'new',
                'prior_status' => 'pending',
            ],
            [
                'hold_id' => 3,
                'order_id' => 8,
                'increment_id' => '000000008',
                'prior_state' => 'processing',
                'prior_status' => 'processing',
            ],
        ], $this->db->calls('insertMultiple', OrderHoldStore::ITEM_TABLE)[0][2]);
        $log = $this->db->calls('insert', ActionLogWriter::TABLE)[0][2];
        self::assertSame(HoldOrders::ACTION, $log['action']);
        self::assertSame('succeeded', $log['status']);
        self::assertSame(
            ['orders' => [
                '7' => ['state' => 'new', 'status' => 'pending'],
                '8' => ['state' => 'processing', 'status' => 'processing'],
            ]],
            json_decode((string) $log['prior_state'], true)
        );
    }

    public function testNamedOrdersOutsideTheSelectionAreEachReported(): void
    {
        $this->db = (new FakeDb($this))
            ->answer('/FROM sales_order WHERE status IN/', [self::order(7, 'new', 'pending')])
            ->answer('/FROM sales_order WHERE entity_id IN/', self::namedOrders())
            ->answer('/LAST_INSERT_ID/', '4');

        $result = $this->hold()->execute('skimmer', ['pending'], null, [13, 7, 99, 12]);

        self::assertSame(
            [[7, 'held'], [12, 'already_held'], [13, 'not_matched'], [99, 'not_found']],
            array_map(static fn ($item): array => [$item->getOrderId(), $item->getResult()], $result->getItems())
        );
        self::assertSame([['hold', 7]], $this->calls);
        self::assertStringContainsString('entity_id IN (13,7,99,12)', $this->db->calls('fetchAll')[0][1]);
    }

    public function testOrdersAlreadyOnHoldAreNotHeldAgain(): void
    {
        $this->db = (new FakeDb($this))
            ->answer('/FROM sales_order WHERE status IN/', [self::order(12, 'holded', 'holded')]);

        $result = $this->hold()->execute('skimmer', ['holded']);

        self::assertSame([], $this->calls);
        self::assertSame('already_held', $result->getItems()[0]->getResult());
        self::assertNull($result->getHoldId());
        self::assertSame([], $this->db->calls('insert', OrderHoldStore::HOLD_TABLE));
    }

    public function testBeyondTenThousandTheRestIsCountedAsRemaining(): void
    {
        $rows = array_map(
            static fn (int $id): array => self::order($id, 'new', 'pending'),
            range(1, HoldOrders::MAX_ORDERS)
        );
        $this->db = (new FakeDb($this))
            ->answer('/SELECT COUNT\(\*\) FROM sales_order WHERE status IN/', '10250')
            ->answer('/FROM sales_order WHERE status IN/', $rows)
            ->answer('/LAST_INSERT_ID/', '1');

        $result = $this->hold()->execute('skimmer', ['pending']);

        self::assertSame([10250, 10000, 250], [$result->getMatched(), $result->getHeld(), $result->getRemaining()]);
    }

    public function testAReplayedKeyHoldsNothingTwice(): void
    {
        $request = [
            'reason' => 'skimmer',
            'incidentId' => null,
            'statuses' => ['pending'],
            'orderIds' => [],
            'createdFrom' => null,
            'createdTo' => null,
        ];
        $stored = ['action_id' => 5, 'replayed' => false, 'matched' => 1, 'held' => 1, 'remaining' => 0, 'items' => [
            ['order_id' => 7, 'result' => 'held', 'prior_state' => 'new', 'prior_status' => 'pending'],
        ], 'hold_id' => 2];
        $this->db = $this->shop()
            ->answer('/INSERT magento_ir_idempotency_key/', new DuplicateException('duplicate'))
            ->answer('/FROM magento_ir_idempotency_key/', [
                'action' => HoldOrders::ACTION,
                'request_hash' => hash('sha256', HoldOrders::ACTION . "\n" . json_encode($request)),
                'response' => json_encode($stored),
            ]);

        $result = $this->hold([], 'INC-7.s3')->execute('skimmer', ['pending']);

        self::assertTrue($result->isReplayed());
        self::assertSame(2, $result->getHoldId());
        self::assertSame([], $this->calls);
        self::assertSame([], $this->db->calls('insert', OrderHoldStore::HOLD_TABLE));
    }

    /**
     * @return iterable<string, array{0: list<mixed>, 1: string|null}>
     */
    public static function badSelections(): iterable
    {
        yield 'no statuses' => [[], null];
        yield 'status with spaces' => [['pending; DROP'], null];
        yield 'date not in Magento form' => [['pending'], '2024-05-01T02:00:00Z'];
    }

    /**
     * @dataProvider badSelections
     * @param list<mixed> $statuses
     */
    public function testBadSelectionsAreRefusedBeforeAnythingIsRead(array $statuses, ?string $from): void
    {
        $this->db = $this->shop();
        try {
            $this->hold()->execute('skimmer', $statuses, null, [], $from);
            self::fail('Expected an InputException.');
        } catch (InputException) {
            self::assertSame([], $this->db->calls('fetchAll'));
            self::assertSame([], $this->calls);
        }
    }

    public function testUnholdReleasesOnlyWhatTheHoldHeldAndStillOnHold(): void
    {
        $this->db = (new FakeDb($this))
            ->answer('/SELECT 1 FROM magento_ir_order_hold /', '1')
            ->answer('/FROM magento_ir_order_hold_item/', [
                ['order_id' => '7', 'increment_id' => '7', 'prior_state' => 'new', 'prior_status' => 'pending'],
                ['order_id' => '8', 'increment_id' => '8', 'prior_state' => 'processing', 'prior_status' => 'fraud'],
                ['order_id' => '10', 'increment_id' => '10', 'prior_state' => 'new', 'prior_status' => 'pending'],
            ])
            ->answer('/FROM sales_order WHERE entity_id IN/', [
                self::order(7, 'holded', 'holded'),
                self::order(8, 'canceled', 'canceled'),
                self::order(10, 'holded', 'holded'),
            ])
            ->answer('/SELECT COUNT\(\*\) FROM magento_ir_order_hold_item/', '1');

        $result = $this->unhold([10 => 'You cannot remove the hold.'])->execute(3, 'reviewed', null, [7, 8, 10, 55]);

        self::assertSame([['unHold', 7]], $this->calls);
        self::assertSame(1, $result->getReleased());
        self::assertSame(
            [
                [7, 'released', null],
                [8, 'not_on_hold', null],
                [10, 'not_released', 'You cannot remove the hold.'],
                [55, 'not_in_hold', null],
            ],
            array_map(
                static fn ($item): array => [$item->getOrderId(), $item->getResult(), $item->getMessage()],
                $result->getItems()
            )
        );
        // Released and no-longer-held orders close; the refused one stays open for a later call.
        $update = $this->db->calls('update', OrderHoldStore::ITEM_TABLE)[0];
        self::assertSame(['released_at' => Fixtures::NOW_DATE], $update[2]);
        self::assertContains('order_id IN (7,8)', $update[3]);
        self::assertSame([], $this->db->calls('update', OrderHoldStore::HOLD_TABLE));
    }

    public function testUnholdOfAnUnknownHoldIsNotFoundAndLogged(): void
    {
        $this->db = new FakeDb($this);
        try {
            $this->unhold()->execute(99, 'reviewed');
            self::fail('Expected NoSuchEntityException.');
        } catch (NoSuchEntityException $exception) {
            self::assertSame('No such entity with holdId = 99', $exception->getMessage());
        }
        self::assertSame(['rejected'], Fixtures::loggedStatuses($this->db));
        self::assertSame([], $this->calls);
    }
}
