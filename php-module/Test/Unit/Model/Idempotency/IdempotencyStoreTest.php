<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\Idempotency;

use Magento\Framework\DB\Adapter\DuplicateException;
use Magento\Framework\DB\Adapter\LockWaitException;
use Magento\Framework\Exception\InputException;
use MagentoIr\IncidentResponse\Cron\PurgeIdempotencyKeys;
use MagentoIr\IncidentResponse\Model\Action\Caller;
use MagentoIr\IncidentResponse\Model\Idempotency\IdempotencyStore;
use MagentoIr\IncidentResponse\Test\Unit\Support\FakeDb;
use MagentoIr\IncidentResponse\Test\Unit\Support\Fixtures;
use PHPUnit\Framework\TestCase;

final class IdempotencyStoreTest extends TestCase
{
    /**
     * @return array<string, string|null>
     */
    private static function row(?string $response): array
    {
        return ['action' => 'x.y', 'request_hash' => 'h', 'response' => $response];
    }

    private function store(FakeDb $db): IdempotencyStore
    {
        return new IdempotencyStore($db->resource, Fixtures::clock($this));
    }

    public function testTheReservationNamesTheCaller(): void
    {
        $db = new FakeDb($this);

        self::assertNull($this->store($db)->reserve(new Caller(1, 7), 'k', 'x.y', 'h'));
        $row = $db->calls('insert', IdempotencyStore::TABLE)[0][2];
        self::assertSame(
            [1, 7, 'k', null],
            [$row['actor_type'], $row['actor_id'], $row['idempotency_key'], $row['response']]
        );
    }

    public function testAnAnsweredKeyIsLookedUpInTheCallersOwnKeySpaceOnly(): void
    {
        $db = (new FakeDb($this))
            ->answer('/INSERT magento_ir_idempotency_key/', new DuplicateException('duplicate'))
            ->answer('/FROM magento_ir_idempotency_key/', self::row('[]'));

        self::assertSame([], $this->store($db)->reserve(new Caller(2, 5), 'k', 'x.y', 'h'));
        [, $sql, $bind] = $db->calls('fetchRow')[0];
        self::assertStringContainsString('WHERE actor_type = ? AND actor_id = ? AND idempotency_key = ?', $sql);
        self::assertStringEndsWith('FOR UPDATE', $sql);
        self::assertSame([2, 5, 'k'], $bind);
    }

    public function testAKeyHeldByAnOpenTransactionIsStillBeingProcessed(): void
    {
        $db = (new FakeDb($this))
            ->answer('/INSERT magento_ir_idempotency_key/', new LockWaitException('lock wait'));

        try {
            $this->store($db)->reserve(new Caller(2, 1), 'k', 'x.y', 'h');
            self::fail('Expected InputException.');
        } catch (InputException $exception) {
            self::assertSame(
                'A request with the idempotency key "%key" is still being processed.',
                $exception->getRawMessage()
            );
        }
    }

    public function testAReservationLeftUnansweredByAnEarlierModuleVersionIsTakenOver(): void
    {
        $db = (new FakeDb($this))
            ->answer('/INSERT magento_ir_idempotency_key/', new DuplicateException('duplicate'))
            ->answer('/FROM magento_ir_idempotency_key/', self::row(null));

        self::assertNull($this->store($db)->reserve(new Caller(2, 1), 'k', 'x.y', 'h'));
    }

    public function testCompleteWritesTheCallersOwnRow(): void
    {
        $db = new FakeDb($this);
        $this->store($db)->complete(new Caller(1, 7), 'k', ['action_id' => 3]);

        $update = $db->calls('update', IdempotencyStore::TABLE)[0];
        self::assertSame(['response' => '{"action_id":3}'], $update[2]);
        self::assertSame(['actor_type = ?' => 1, 'actor_id = ?' => 7, 'idempotency_key = ?' => 'k'], $update[3]);
    }

    public function testCronPurgesKeysOlderThanThirtyDays(): void
    {
        $db = (new FakeDb($this))->countFor('delete', IdempotencyStore::TABLE, 4);
        (new PurgeIdempotencyKeys(new IdempotencyStore($db->resource, Fixtures::clock($this))))->execute();

        self::assertSame(
            ['created_at < ?' => gmdate('Y-m-d H:i:s', Fixtures::NOW - 2592000)],
            $db->calls('delete', IdempotencyStore::TABLE)[0][2]
        );
    }
}
