<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\Guard;

use MagentoIr\IncidentResponse\Model\Guard\Attempt;
use MagentoIr\IncidentResponse\Model\Guard\GetGuardCounters;
use MagentoIr\IncidentResponse\Model\Guard\GuardStore;
use MagentoIr\IncidentResponse\Setup\Patch\Data\CountGuardBlocks;
use MagentoIr\IncidentResponse\Test\Unit\Support\FakeDb;
use PHPUnit\Framework\TestCase;

final class GuardCountersTest extends TestCase
{
    private static function attempt(): Attempt
    {
        return new Attempt('graphql', '192.0.2.7', 'x@example.com', null, 12, 'checkmo', '41111111');
    }

    public function testARefusalIsLoggedAndCountedInOneTransaction(): void
    {
        $db = new FakeDb($this);
        (new GuardStore($db->resource))->recordBlock(4, 'ip', self::attempt(), '2024-05-01 03:40:02');

        self::assertSame(['beginTransaction', 'insert', 'query', 'commit'], $db->sequence());
        [, $sql, $bind] = $db->calls('query')[0];
        self::assertStringStartsWith('INSERT INTO magento_ir_guard_counter', $sql);
        // The database adds one to the stored count: two refusals at once both count.
        self::assertStringContainsString('ON DUPLICATE KEY UPDATE blocked = blocked + 1', $sql);
        self::assertStringContainsString('GREATEST(last_blocked_at', $sql);
        self::assertStringNotContainsString('first_blocked_at =', $sql);
        self::assertSame(
            ['rule_id' => 4, 'rule_type' => 'ip', 'first' => '2024-05-01 03:40:02', 'last' => '2024-05-01 03:40:02'],
            $bind
        );
        self::assertStringNotContainsString('4111', json_encode($db->journal));
    }

    public function testAFailedWriteRollsBackAndFailsOpenUpstream(): void
    {
        $failing = new FakeDb($this);
        $failing->answer('/INSERT magento_ir_guard_block/', new \RuntimeException('deadlock'));
        try {
            (new GuardStore($failing->resource))->recordBlock(4, 'ip', self::attempt(), '2024-05-01 03:40:02');
            self::fail('no error');
        } catch (\RuntimeException $exception) {
            self::assertSame('deadlock', $exception->getMessage());
        }
        self::assertSame(['beginTransaction', 'insert', 'rollBack'], $failing->sequence());
    }

    public function testCountersAreReadFromTheirTableWithTheNewestRefusalsId(): void
    {
        $db = (new FakeDb($this))
            ->answer('/FROM magento_ir_guard_counter/', [
                ['rule_id' => '4', 'rule_type' => 'ip', 'blocked' => '2',
                    'first_blocked_at' => '2024-05-01 03:40:02', 'last_blocked_at' => '2024-05-01 03:40:09'],
                ['rule_id' => '7', 'rule_type' => 'velocity', 'blocked' => '5',
                    'first_blocked_at' => '2024-05-02 00:00:00', 'last_blocked_at' => '2024-05-02 00:10:00'],
            ])
            ->answer('/SELECT MAX\(block_id\) FROM magento_ir_guard_block/', '18');

        $list = (new GetGuardCounters(new GuardStore($db->resource)))->execute();

        self::assertSame(18, $list->getLastBlockId());
        self::assertSame(7, $list->getBlocked());
        self::assertSame([4, 7], array_map(static fn ($c): int => $c->getRuleId(), $list->getItems()));
        self::assertSame('velocity', $list->getItems()[1]->getRuleType());
        self::assertSame('2024-05-01 03:40:02', $list->getItems()[0]->getFirstBlockedAt());
        self::assertSame('2024-05-01 03:40:09', $list->getItems()[0]->getLastBlockedAt());
        // Two reads, neither of which counts the refusal log.
        self::assertCount(2, $db->journal);
        self::assertStringNotContainsString('COUNT(', json_encode($db->journal));
    }

    public function testNoRefusalYetIsZero(): void
    {
        $list = (new GetGuardCounters(new GuardStore((new FakeDb($this))->resource)))->execute();
        self::assertSame([0, 0, []], [$list->getLastBlockId(), $list->getBlocked(), $list->getItems()]);
    }

    public function testAnUpgradeCountsTheRefusalsLoggedBeforeTheCounters(): void
    {
        $db = new FakeDb($this);
        (new CountGuardBlocks($db->resource))->apply();
        $sql = $db->calls('query')[0][1];
        self::assertMatchesRegularExpression(
            '/^INSERT INTO magento_ir_guard_counter .* SELECT rule_id, MAX\(rule_type\), COUNT\(\*\), '
            . 'MIN\(created_at\), MAX\(created_at\) FROM magento_ir_guard_block GROUP BY rule_id/',
            $sql
        );
        self::assertSame([], CountGuardBlocks::getDependencies());
    }
}
