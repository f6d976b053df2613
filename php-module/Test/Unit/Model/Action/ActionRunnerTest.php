<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\Action;

use Magento\Framework\DB\Adapter\DuplicateException;
use Magento\Framework\DB\Adapter\LockWaitException;
use Magento\Framework\Exception\InputException;
use Magento\Framework\Exception\NoSuchEntityException;
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
        // The rollback took the key's reservation with it: nothing is left to free.
        self::assertSame([], $db->calls('delete'));
    }

    public function testTheKeyIsReservedInsideTheWriteTransaction(): void
    {
        $db = (new FakeDb($this))->answer('/LAST_INSERT_ID/', '8');
        Fixtures::runner($this, $db, 'fresh')->run('x.y', 'why', null, [], static fn () => new ActionOutcome(null, []));

        // A PHP fatal error anywhere after the reservation ends the connection, and MySQL rolls both back.
        $steps = array_map(
            static fn (array $entry): string => $entry[0] . (is_string($entry[1] ?? null) ? ' ' . $entry[1] : ''),
            array_values(array_filter($db->journal, static fn (array $e): bool => $e[0] !== 'fetchOne'))
        );
        self::assertSame([
            'beginTransaction',
            'insert ' . IdempotencyStore::TABLE,
            'beginTransaction',
            'insert ' . ActionLogWriter::TABLE,
            'commit',
            'update ' . IdempotencyStore::TABLE,
            'commit',
        ], $steps);
    }

    public function testAnIntegrationsKeyIsItsOwn(): void
    {
        $db = (new FakeDb($this))->answer('/LAST_INSERT_ID/', '8');
        Fixtures::runner($this, $db, 'shared', 1, 7)
            ->run('x.y', 'why', null, [], static fn () => new ActionOutcome(null, []));

        $row = $db->calls('insert', IdempotencyStore::TABLE)[0][2];
        self::assertSame([1, 7], [$row['actor_type'], $row['actor_id']]);
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

    public function testKeyReusedForAnotherRequestIsRefusedAndTheRefusalLogged(): void
    {
        $db = (new FakeDb($this))
            ->answer('/INSERT magento_ir_idempotency_key/', new DuplicateException('duplicate'))
            ->answer('/FROM magento_ir_idempotency_key/', [
                'action' => 'x.y',
                'request_hash' => 'another-request',
                'response' => '{}',
            ]);

        try {
            Fixtures::runner($this, $db, 'same-key')->run('x.y', 'why', null, ['p' => 1], function (): ActionOutcome {
                self::fail('Must not run.');
            });
            self::fail('Expected InputException.');
        } catch (InputException $exception) {
            self::assertSame(
                'The idempotency key "same-key" was already used for a different request.',
                $exception->getMessage()
            );
        }
        $logged = $db->calls('insert', ActionLogWriter::TABLE)[0][2];
        self::assertSame(
            ['rejected', 'same-key', '{"p":1}'],
            [$logged['status'], $logged['idempotency_key'], $logged['request']]
        );
        self::assertSame(
            ['error' => 'The idempotency key "same-key" was already used for a different request.'],
            json_decode($logged['result'], true)
        );
    }

    public function testKeyStillInProgressIsRefusedAndTheRefusalLogged(): void
    {
        $db = (new FakeDb($this))
            ->answer('/INSERT magento_ir_idempotency_key/', new LockWaitException('Lock wait timeout exceeded'));

        try {
            Fixtures::runner($this, $db, 'k')->run('x.y', 'why', null, [], function (): ActionOutcome {
                self::fail('Must not run.');
            });
            self::fail('Expected InputException.');
        } catch (InputException $exception) {
            self::assertSame(
                'A request with the idempotency key "k" is still being processed.',
                $exception->getMessage()
            );
        }
        self::assertSame(['rejected'], Fixtures::loggedStatuses($db));
    }

    public function testNewKeyStoresTheResponseForReplay(): void
    {
        $db = (new FakeDb($this))->answer('/LAST_INSERT_ID/', '8');
        Fixtures::runner($this, $db, 'fresh')->run('x.y', 'why', null, [], static fn () => new ActionOutcome(null, []));

        $update = $db->calls('update', IdempotencyStore::TABLE)[0];
        self::assertSame('{"action_id":8,"replayed":false}', $update[2]['response']);
        self::assertSame(['actor_type = ?' => 2, 'actor_id = ?' => 1, 'idempotency_key = ?' => 'fresh'], $update[3]);
    }

    public function testARefusalInsideTheOperationIsLoggedAsRejected(): void
    {
        $db = new FakeDb($this);

        $this->expectException(NoSuchEntityException::class);
        try {
            Fixtures::runner($this, $db)->run('x.y', 'why', null, ['id' => 9], static function (): ActionOutcome {
                throw NoSuchEntityException::singleField('id', 9);
            });
        } finally {
            self::assertSame(['rejected'], Fixtures::loggedStatuses($db));
        }
    }

    public function testMalformedKeyIsRejectedNamingTheHeaderAndLoggedWithoutIt(): void
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
        $logged = $db->calls('insert', ActionLogWriter::TABLE);
        self::assertSame(['rejected', null], [$logged[0][2]['status'], $logged[0][2]['idempotency_key']]);
        self::assertSame([], $db->calls('insert', IdempotencyStore::TABLE));
    }

    public function testAConnectionLostMidWriteIsNeverLoggedAsASuccess(): void
    {
        // Magento reconnected (a new connection id) and retried the log's query outside the transaction.
        $ids = [7, 8, 8, 8];
        $db = (new FakeDb($this))
            ->answer('/CONNECTION_ID/', static function () use (&$ids): int {
                return array_shift($ids) ?? 8;
            })
            ->answer('/LAST_INSERT_ID/', '9');

        try {
            Fixtures::runner($this, $db, 'k')->run('x.y', 'why', null, [], static fn () => new ActionOutcome(null, []));
            self::fail('Expected the lost connection to fail the write.');
        } catch (\RuntimeException $exception) {
            self::assertStringContainsString('reconnected outside its transaction', $exception->getMessage());
        }
        self::assertSame(['failed'], Fixtures::loggedStatuses($db));
        self::assertSame([], $db->calls('update', IdempotencyStore::TABLE));
    }
}
