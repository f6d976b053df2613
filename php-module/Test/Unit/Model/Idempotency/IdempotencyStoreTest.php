<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\Idempotency;

use Magento\Framework\DB\Adapter\DuplicateException;
use Magento\Framework\Exception\InputException;
use MagentoIr\IncidentResponse\Cron\PurgeIdempotencyKeys;
use MagentoIr\IncidentResponse\Model\Idempotency\IdempotencyStore;
use MagentoIr\IncidentResponse\Test\Unit\Support\FakeDb;
use MagentoIr\IncidentResponse\Test\Unit\Support\Fixtures;
use PHPUnit\Framework\TestCase;

final class IdempotencyStoreTest extends TestCase
{
    private function pending(string $createdAt): FakeDb
    {
        return (new FakeDb($this))
            ->answer('/INSERT magento_ir_idempotency_key/', new DuplicateException('duplicate'))
            ->answer('/FROM magento_ir_idempotency_key/', [
                'action' => 'x.y',
                'request_hash' => 'h',
                'response' => null,
                'created_at' => $createdAt,
            ]);
    }

    public function testKeyOfACrashedRequestIsTakenOverAfterHalfAnHour(): void
    {
        $db = $this->pending(gmdate('Y-m-d H:i:s', Fixtures::NOW - IdempotencyStore::ABANDONED_AFTER_SECONDS - 1))
            ->countFor('update', IdempotencyStore::TABLE, 1);

        self::assertNull((new IdempotencyStore($db->resource, Fixtures::clock($this)))->reserve('k', 'x.y', 'h'));
        $claim = $db->calls('update', IdempotencyStore::TABLE)[0];
        self::assertSame(['created_at' => Fixtures::NOW_DATE], $claim[2]);
        self::assertSame('response IS NULL', $claim[3][0]);
    }

    public function testKeyLostToAnotherTakerIsStillInProgress(): void
    {
        $db = $this->pending(gmdate('Y-m-d H:i:s', Fixtures::NOW - IdempotencyStore::ABANDONED_AFTER_SECONDS - 1));

        $this->expectException(InputException::class);
        (new IdempotencyStore($db->resource, Fixtures::clock($this)))->reserve('k', 'x.y', 'h');
    }

    public function testRecentPendingKeyIsNotTakenOver(): void
    {
        $db = $this->pending(gmdate('Y-m-d H:i:s', Fixtures::NOW - 60))->countFor('update', IdempotencyStore::TABLE, 1);

        try {
            (new IdempotencyStore($db->resource, Fixtures::clock($this)))->reserve('k', 'x.y', 'h');
            self::fail('Expected InputException.');
        } catch (InputException $exception) {
            self::assertSame(
                'A request with the idempotency key "%key" is still being processed.',
                $exception->getRawMessage()
            );
        }
        self::assertSame([], $db->calls('update'));
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
