<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\Action;

use Magento\Framework\DB\Adapter\DuplicateException;
use Magento\Framework\Exception\InputException;
use MagentoIr\IncidentResponse\Model\Action\ActionOutcome;
use MagentoIr\IncidentResponse\Model\ActionLog\ActionLogWriter;
use MagentoIr\IncidentResponse\Model\Idempotency\IdempotencyStore;
use MagentoIr\IncidentResponse\Test\Unit\Support\FakeDb;
use MagentoIr\IncidentResponse\Test\Unit\Support\Fixtures;
use PHPUnit\Framework\TestCase;

final class ActionRunnerTest extends TestCase
{
    public function testSuccessIsLoggedWithPriorStateAndResultAndCommitted(): void
    {
        $db = (new FakeDb($this))->answer('/LAST_INSERT_ID/', '5');
        $runner = Fixtures::runner($this, $db);
        $afterCommit = 0;

        $response = $runner->run('x.y', 'why', 'INC-9', ['p' => 1], function () use (&$afterCommit) {
            return new ActionOutcome(['before' => 1], ['count' => 2], [function () use (&$afterCommit): void {
                $afterCommit++;
            }]);
        });

        self::assertSame(['action_id' => 5, 'replayed' => false, 'count' => 2], $response);
        $log = $db->calls('insert', ActionLogWriter::TABLE)[0][2];
        self::assertSame(['succeeded', '{"before":1}', '{"count":2}', 'INC-9'], [
            $log['status'], $log['prior_state'], $log['result'], $log['incident_id'],
        ]);
        self::assertSame('commit', $db->sequence()[count($db->sequence()) - 1]);
        self::assertSame(1, $afterCommit);
    }

    public function testFailureRollsBackLogsTheErrorAndRethrows(): void
    {
        $db = (new FakeDb($this))->answer('/LAST_INSERT_ID/', '6');
        $runner = Fixtures::runner($this, $db, 'retry-me');

        try {
            $runner->run('x.y', 'why', null, [], static function (): ActionOutcome {
                throw new \RuntimeException('disk full');
            });
            self::fail('The operation error must reach the caller.');
        } catch (\RuntimeException $exception) {
            self::assertSame('disk full', $exception->getMessage());
        }
        self::assertContains('rollBack', $db->sequence());
        $failed = $db->calls('insert', ActionLogWriter::TABLE)[0][2];
        self::assertSame(['failed', '{"error":"disk full"}'], [$failed['status'], $failed['result']]);
        // The key is freed so the responder can retry with it.
        self::assertSame(IdempotencyStore::TABLE, $db->calls('delete')[0][1]);
    }

    public function testOriginalErrorSurvivesWhenTheFailureCannotBeLogged(): void
    {
        $db = (new FakeDb($this))->answer('/INSERT magento_ir_action_log/', new \RuntimeException('server gone'));

        $this->expectExceptionMessage('disk full');
        Fixtures::runner($this, $db)->run('x.y', 'why', null, [], static function (): ActionOutcome {
            throw new \RuntimeException('disk full');
        });
    }

    public function testRepeatedKeyReturnsTheFirstResultWithoutRunningAgain(): void
    {
        $stored = ['action_id' => 5, 'replayed' => false, 'count' => 2];
        $db = (new FakeDb($this))
            ->answer('/INSERT magento_ir_idempotency_key/', new DuplicateException('duplicate'))
            ->answer('/FROM magento_ir_idempotency_key/', [
                'action' => 'x.y',
                'request_hash' => hash('sha256', "x.y\n" . json_encode(['p' => 1])),
                'response' => json_encode($stored),
            ]);
        $runner = Fixtures::runner($this, $db, 'same-key');

        $response = $runner->run('x.y', 'why', null, ['p' => 1], function (): ActionOutcome {
            self::fail('A replayed key must not change anything again.');
        });

        self::assertSame(['replayed' => true, 'action_id' => 5, 'count' => 2], $response);
        self::assertSame([], $db->calls('insert', ActionLogWriter::TABLE));
    }

    public function testKeyReusedForAnotherRequestIsRefused(): void
    {
        $db = (new FakeDb($this))
            ->answer('/INSERT magento_ir_idempotency_key/', new DuplicateException('duplicate'))
            ->answer('/FROM magento_ir_idempotency_key/', [
                'action' => 'x.y',
                'request_hash' => 'another-request',
                'response' => '{}',
            ]);

        $this->expectException(InputException::class);
        $this->expectExceptionMessage('The idempotency key "same-key" was already used for a different request.');
        Fixtures::runner($this, $db, 'same-key')->run('x.y', 'why', null, ['p' => 1], function (): ActionOutcome {
            self::fail('Must not run.');
        });
    }

    public function testKeyStillInProgressIsRefused(): void
    {
        $db = (new FakeDb($this))
            ->answer('/INSERT magento_ir_idempotency_key/', new DuplicateException('duplicate'))
            ->answer('/FROM magento_ir_idempotency_key/', [
                'action' => 'x.y',
                'request_hash' => hash('sha256', "x.y\n" . json_encode([])),
                'response' => null,
                'created_at' => Fixtures::NOW_DATE,
            ]);

        $this->expectExceptionMessage('A request with the idempotency key "k" is still being processed.');
        Fixtures::runner($this, $db, 'k')->run('x.y', 'why', null, [], function (): ActionOutcome {
            self::fail('Must not run.');
        });
    }

    public function testNewKeyStoresTheResponseForReplay(): void
    {
        $db = (new FakeDb($this))->answer('/LAST_INSERT_ID/', '8');
        Fixtures::runner($this, $db, 'fresh')->run('x.y', 'why', null, [], static fn () => new ActionOutcome(null, []));

        $update = $db->calls('update', IdempotencyStore::TABLE)[0];
        self::assertSame('{"action_id":8,"replayed":false}', $update[2]['response']);
        self::assertSame(['idempotency_key = ?' => 'fresh'], $update[3]);
    }

    public function testMalformedKeyIsRejectedNamingTheHeader(): void
    {
        $db = new FakeDb($this);
        try {
            Fixtures::runner($this, $db, 'not a key!')->run('x.y', 'why', null, [], function (): ActionOutcome {
                self::fail('Must not run.');
            });
            self::fail('Expected InputException.');
        } catch (InputException $exception) {
            self::assertSame(
                ['value' => 'not a key!', 'fieldName' => 'X-Idempotency-Key'],
                $exception->getParameters()
            );
        }
        self::assertSame([], $db->journal);
    }
}
