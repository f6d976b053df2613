<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\ActionLog;

use MagentoIr\IncidentResponse\Model\Action\Caller;
use MagentoIr\IncidentResponse\Model\ActionLog\ActionLogWriter;
use MagentoIr\IncidentResponse\Model\ActionLog\HashChain;
use MagentoIr\IncidentResponse\Test\Unit\Support\FakeDb;
use MagentoIr\IncidentResponse\Test\Unit\Support\Fixtures;
use PHPUnit\Framework\TestCase;

final class ActionLogWriterTest extends TestCase
{
    public function testFirstRecordChainsFromGenesis(): void
    {
        $db = (new FakeDb($this))->answer('/LAST_INSERT_ID/', '1');
        $writer = new ActionLogWriter($db->resource, new HashChain(), Fixtures::clock($this));

        $id = $writer->append(
            'payments.suspend',
            'succeeded',
            new Caller(2, 7),
            'why',
            null,
            'k-1',
            ['a' => 1],
            null,
            []
        );

        self::assertSame(1, $id);
        $row = $db->calls('insert', ActionLogWriter::TABLE)[0][2];
        self::assertSame(HashChain::GENESIS, $row['previous_hash']);
        self::assertSame((new HashChain())->hash(HashChain::GENESIS, $row), $row['hash']);
        self::assertSame(Fixtures::NOW_DATE, $row['created_at']);
        self::assertSame(7, $row['actor_id']);
        self::assertSame('null', $row['prior_state']);
    }

    public function testNextRecordChainsFromTheLastHashReadUnderLock(): void
    {
        $last = str_repeat('ab', 32);
        $db = (new FakeDb($this))
            ->answer('/SELECT hash FROM magento_ir_action_log .* FOR UPDATE/', $last)
            ->answer('/LAST_INSERT_ID/', '42');
        $writer = new ActionLogWriter($db->resource, new HashChain(), Fixtures::clock($this));

        self::assertSame(
            42,
            $writer->append('admins.restore', 'failed', new Caller(1, 3), 'r', 'INC', null, [], null, [])
        );
        self::assertSame($last, $db->calls('insert', ActionLogWriter::TABLE)[0][2]['previous_hash']);
        self::assertSame(['beginTransaction', 'fetchOne', 'insert', 'fetchOne', 'commit'], $db->sequence());
    }
}
