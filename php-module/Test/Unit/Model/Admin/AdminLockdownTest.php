<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\Admin;

use Magento\Framework\App\CacheInterface;
use Magento\Framework\Exception\InputException;
use Magento\Framework\Exception\NoSuchEntityException;
use Magento\Integration\Api\OauthServiceInterface;
use Magento\User\Model\ResourceModel\User as UserResource;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Admin\LockdownAdmins;
use MagentoIr\IncidentResponse\Model\Admin\LockdownStore;
use MagentoIr\IncidentResponse\Model\Admin\RestoreAdmins;
use MagentoIr\IncidentResponse\Model\Token\TokenRevoker;
use MagentoIr\IncidentResponse\Test\Unit\Support\FakeDb;
use MagentoIr\IncidentResponse\Test\Unit\Support\Fixtures;
use PHPUnit\Framework\TestCase;

final class AdminLockdownTest extends TestCase
{
    private FakeDb $db;
    /** @var list<array<int, mixed>> */
    private array $locks = [];

    private function lockdown(int $callerType = 2, int $callerId = 1): LockdownAdmins
    {
        $users = $this->getMockBuilder(UserResource::class)->disableOriginalConstructor()->getMock();
        $users->method('lock')->willReturnCallback(function (...$args) {
            $this->locks[] = $args;
            return 1;
        });
        return new LockdownAdmins(
            Fixtures::runner($this, $this->db, null, $callerType, $callerId),
            new Input(),
            $this->db->resource,
            $users,
            new TokenRevoker($this->db->resource, $this->getMockBuilder(CacheInterface::class)->getMock()),
            new LockdownStore($this->db->resource),
            Fixtures::clock($this)
        );
    }

    private function store(): FakeDb
    {
        return (new FakeDb($this))
            ->answer('/SELECT user_id, is_active, lock_expires FROM admin_user/', [
                ['user_id' => '2', 'is_active' => '1', 'lock_expires' => null],
                ['user_id' => '5', 'is_active' => '1', 'lock_expires' => null],
            ])
            ->answer('/FROM integration WHERE/', [
                ['integration_id' => '3', 'status' => '1', 'consumer_id' => '9'],
            ])
            ->answer('/FROM oauth_token WHERE consumer_id/', ['40', '41'])
            ->answer('/COUNT\(\*\) FROM admin_user/', '2')
            ->answer('/LAST_INSERT_ID/', '4')
            ->countFor('update', 'admin_user_session', 1);
    }

    public function testDeactivatesEveryoneButKeptAdminsAndTheCaller(): void
    {
        $this->db = $this->store();
        $result = $this->lockdown()->execute('rogue admin', null, 'deactivate', [7]);

        $select = $this->db->calls('fetchAll')[0][1];
        self::assertStringContainsString('WHERE user_id NOT IN (1,7) AND is_active = 1', $select);
        self::assertSame(['is_active' => 0], $this->db->calls('update', 'admin_user')[0][2]);
        self::assertSame('user_id IN (2,5)', $this->db->calls('update', 'admin_user')[0][3]);
        self::assertSame(
            ['status = 1', 'user_id NOT IN (1,7)'],
            $this->db->calls('update', 'admin_user_session')[0][3]
        );
        self::assertSame([2, 5], $result->getAdminIds());
        self::assertSame([1, 7], $result->getKeptAdminIds());
        self::assertSame(4, $result->getLockdownId());
        self::assertSame(2, $result->getAdminTokensRevoked());
        self::assertSame(1, $result->getAdminSessionsEnded());
    }

    public function testOtherIntegrationsAreDisabledAndTheirTokensRevokedButTheCallersKept(): void
    {
        $this->db = $this->store();
        $result = $this->lockdown(1, 8)->execute('rogue integration');

        $select = $this->db->calls('fetchAll')[1];
        self::assertStringContainsString('status IN (?, ?) AND integration_id NOT IN (8)', $select[1]);
        // Active and re-authorised integrations both hold usable tokens.
        self::assertSame([1, 2], $select[2]);
        self::assertSame(['status' => 0], $this->db->calls('update', 'integration')[0][2]);
        self::assertSame('entity_id IN (40,41)', array_values(array_filter(
            $this->db->calls('update', 'oauth_token'),
            static fn ($call) => $call[2] === ['revoked' => 1] && is_string($call[3])
        ))[0][3]);
        self::assertSame([3], $result->getIntegrationIds());
        self::assertSame([8], $result->getKeptIntegrationIds());
        self::assertSame([], $result->getKeptAdminIds());
        $items = $this->db->calls('insertMultiple', LockdownStore::ITEM_TABLE)[0][2];
        self::assertSame('{"status":1,"token_ids":[40,41]}', $items[2]['prior_state']);
    }

    public function testLockModeUsesMagentosUserLockExceptForTheCaller(): void
    {
        $this->db = $this->store();
        $this->lockdown()->execute('rogue admin', null, 'lock', [], false);

        self::assertSame([[[2, 5], 1, LockdownAdmins::LOCK_LIFETIME]], $this->locks);
        self::assertSame([], $this->db->calls('update', 'integration'));
    }

    public function testUnknownModeIsRejected(): void
    {
        $this->db = new FakeDb($this);
        $this->expectException(InputException::class);
        $this->lockdown()->execute('why', null, 'delete');
    }

    /** @var list<array<int, mixed>> */
    private array $reauthorised = [];

    private function restore(): RestoreAdmins
    {
        $oauth = $this->getMockBuilder(OauthServiceInterface::class)->getMock();
        $oauth->method('createAccessToken')->willReturnCallback(function (...$args) {
            $this->reauthorised[] = $args;
            return true;
        });
        return new RestoreAdmins(
            Fixtures::runner($this, $this->db),
            new Input(),
            $this->db->resource,
            new LockdownStore($this->db->resource),
            Fixtures::clock($this),
            $oauth
        );
    }

    private function lockdownRecord(): FakeDb
    {
        return (new FakeDb($this))
            ->answer('/SELECT mode, restored_at/', ['mode' => 'deactivate', 'restored_at' => null])
            ->answer('/FROM magento_ir_admin_lockdown_item/', [
                ['subject_type' => 'admin', 'subject_id' => '2', 'prior_state' => '{"is_active":1}'],
                [
                    'subject_type' => 'integration',
                    'subject_id' => '3',
                    'prior_state' => '{"status":1,"token_ids":[40,41]}',
                ],
            ])
            ->answer('/SELECT consumer_id FROM integration/', '9')
            ->answer('/LAST_INSERT_ID/', '5');
    }

    public function testRestoreReissuesIntegrationTokensByDefaultAndNeverRevivesTheOldOnes(): void
    {
        $this->db = $this->lockdownRecord();
        $result = $this->restore()->execute(4, 'reviewed');

        self::assertSame(['status' => 1], $this->db->calls('update', 'integration')[0][2]);
        // The revoked tokens are never made valid again: they are replaced, as Reauthorize does.
        self::assertSame([], $this->db->calls('update', 'oauth_token'));
        self::assertSame(
            [['delete', 'oauth_token', ['entity_id IN (40,41)', 'revoked = 1']]],
            $this->db->calls('delete', 'oauth_token')
        );
        self::assertSame([[9, false]], $this->reauthorised);
        self::assertSame('reissue', $result->getIntegrationTokens());
        self::assertSame([3], $result->getReissuedIntegrationIds());
        self::assertSame([], $result->getRevivedIntegrationIds());
    }

    public function testRestoreRevivesTheOldTokensOnlyWhenAsked(): void
    {
        $this->db = $this->lockdownRecord();
        $result = $this->restore()->execute(4, 'reviewed', null, 'revive');

        self::assertSame([], $this->reauthorised);
        self::assertSame([], $this->db->calls('delete', 'oauth_token'));
        self::assertSame('revive', $result->getIntegrationTokens());
        self::assertSame([3], $result->getRevivedIntegrationIds());
        self::assertSame([], $result->getReissuedIntegrationIds());
    }

    public function testUnknownTokenChoiceIsRejected(): void
    {
        $this->db = $this->lockdownRecord();
        $this->expectException(InputException::class);
        $this->restore()->execute(4, 'reviewed', null, 'keep');
    }

    public function testRestorePutsBackTheRecordedState(): void
    {
        $this->db = (new FakeDb($this))
            ->answer('/SELECT mode, restored_at/', ['mode' => 'lock', 'restored_at' => null])
            ->answer('/FROM magento_ir_admin_lockdown_item/', [
                [
                    'subject_type' => 'admin',
                    'subject_id' => '2',
                    'prior_state' => '{"is_active":1,"lock_expires":null}',
                ],
                [
                    'subject_type' => 'admin',
                    'subject_id' => '5',
                    'prior_state' => '{"is_active":0,"lock_expires":"2024-01-01 00:00:00"}',
                ],
                [
                    'subject_type' => 'integration',
                    'subject_id' => '3',
                    'prior_state' => '{"status":1,"token_ids":[40]}',
                ],
            ])
            ->answer('/LAST_INSERT_ID/', '5');

        $result = $this->restore()->execute(4, 'reviewed', null, 'revive');

        $admins = $this->db->calls('update', 'admin_user');
        self::assertSame(['is_active' => 1, 'lock_expires' => null], $admins[0][2]);
        self::assertSame(['is_active' => 0, 'lock_expires' => '2024-01-01 00:00:00'], $admins[1][2]);
        self::assertSame(['user_id = ?' => 5], $admins[1][3]);
        self::assertSame(['status' => 1], $this->db->calls('update', 'integration')[0][2]);
        self::assertSame(
            [['update', 'oauth_token', ['revoked' => 0], 'entity_id IN (40)']],
            $this->db->calls('update', 'oauth_token')
        );
        self::assertSame([2, 5], $result->getAdminIds());
        self::assertSame([3], $result->getIntegrationIds());
    }

    public function testRestoringTwiceIsRefusedAndTheRefusalLogged(): void
    {
        $this->db = (new FakeDb($this))->answer(
            '/SELECT mode, restored_at/',
            ['mode' => 'lock', 'restored_at' => '2024-05-02 00:00:00']
        );
        try {
            $this->restore()->execute(4, 'again');
            self::fail('Expected InputException.');
        } catch (InputException $exception) {
            self::assertSame('Lockdown 4 was already restored.', $exception->getMessage());
        }
        self::assertSame(['rejected'], Fixtures::loggedStatuses($this->db));
        self::assertSame([], $this->db->calls('update'));
    }

    public function testUnknownLockdownIsNotFoundAndTheRefusalLogged(): void
    {
        $this->db = new FakeDb($this);
        try {
            $this->restore()->execute(99, 'again');
            self::fail('Expected NoSuchEntityException.');
        } catch (NoSuchEntityException) {
            self::assertSame(['rejected'], Fixtures::loggedStatuses($this->db));
        }
    }
}
