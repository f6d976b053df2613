<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\Session;

use Magento\Framework\App\CacheInterface;
use Magento\Framework\App\DeploymentConfig;
use Magento\Framework\Exception\InputException;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Session\TerminateSessions;
use MagentoIr\IncidentResponse\Model\Token\TokenRevoker;
use MagentoIr\IncidentResponse\Test\Unit\Support\FakeDb;
use MagentoIr\IncidentResponse\Test\Unit\Support\Fixtures;
use PHPUnit\Framework\TestCase;

final class TerminateSessionsTest extends TestCase
{
    private FakeDb $db;
    /** @var list<string> */
    private array $cacheRemoved = [];

    private function service(string $sessionSave = 'files', int $callerType = 2, int $callerId = 1): TerminateSessions
    {
        $this->db ??= new FakeDb($this);
        $this->db->answer('/LAST_INSERT_ID/', '11');
        $cache = $this->getMockBuilder(CacheInterface::class)->getMock();
        $cache->method('remove')->willReturnCallback(function ($id) {
            $this->cacheRemoved[] = $id;
            return true;
        });
        $deployment = $this->getMockBuilder(DeploymentConfig::class)->disableOriginalConstructor()->getMock();
        $deployment->method('get')->willReturnCallback(fn ($key) => $key === 'session/save' ? $sessionSave : null);
        return new TerminateSessions(
            Fixtures::runner($this, $this->db, null, $callerType, $callerId),
            new Input(),
            $this->db->resource,
            new TokenRevoker($this->db->resource, $cache),
            $deployment,
            Fixtures::clock($this)
        );
    }

    public function testAllScopeRevokesEveryTokenInOneStatementPerUserTypeAndKeepsTheCaller(): void
    {
        $this->db = (new FakeDb($this))
            ->answer('/SELECT COUNT\(\*\) FROM admin_user/', '4')
            ->answer('/SELECT COUNT\(\*\) FROM customer_entity/', '1200')
            ->answer('/SELECT user_id FROM jwt_auth_revoked/', ['9'])
            ->countFor('update', 'admin_user_session', 3)
            ->countFor('delete', 'persistent_session', 2);

        $result = $this->service()->execute('all', 'Admin password leaked');

        $inserts = array_values(array_filter(
            $this->db->calls('query'),
            static fn (array $q): bool => str_starts_with($q[1], 'INSERT INTO jwt_auth_revoked')
        ));
        self::assertCount(2, $inserts);
        self::assertStringContainsString('FROM admin_user WHERE user_id NOT IN (1)', $inserts[0][1]);
        self::assertSame([2, Fixtures::NOW], $inserts[0][2]);
        self::assertStringContainsString('FROM customer_entity WHERE 1 = 1', $inserts[1][1]);
        self::assertTrue($result->isCallerKept());
        self::assertSame(4, $result->getAdminTokensRevoked());
        self::assertSame(1200, $result->getCustomerTokensRevoked());
        self::assertSame(1200, $result->getCustomerSessionsCutOff());
        self::assertSame(3, $result->getAdminSessionsEnded());
        self::assertSame(2, $result->getPersistentSessionsDeleted());
        self::assertSame(11, $result->getActionId());
        // Cached cut-offs of users revoked before are dropped so the new one applies at once.
        self::assertSame(['jwt-user-token:revoked:2:9', 'jwt-user-token:revoked:3:9'], $this->cacheRemoved);
    }

    public function testAdminSessionsOfTheCallerStayLoggedIn(): void
    {
        $this->service()->execute('admins', 'why', null, [], [], [], [5]);

        $update = $this->db->calls('update', 'admin_user_session')[0];
        self::assertSame(['status' => 3, 'updated_at' => Fixtures::NOW_DATE], $update[2]);
        self::assertSame(['status = 1', 'user_id NOT IN (5,1)'], $update[3]);
        self::assertSame([], $this->db->calls('update', 'customer_entity'));
    }

    public function testCallerIsLoggedOutOnlyWhenAsked(): void
    {
        $result = $this->service()->execute('admins', 'why', null, [], [], [], [], true);

        self::assertFalse($result->isCallerKept());
        self::assertSame(['status = 1', '1 = 1'], $this->db->calls('update', 'admin_user_session')[0][3]);
    }

    public function testCustomerScopeCutsOffOnlyTheGivenCustomers(): void
    {
        $this->service()->execute('customers', 'why', 'INC-1', [3, 4, 4], [], [4]);

        $cutoff = $this->db->calls('update', 'customer_entity')[0];
        self::assertSame(['session_cutoff' => Fixtures::NOW_DATE], $cutoff[2]);
        self::assertSame('entity_id IN (3,4) AND entity_id NOT IN (4)', $cutoff[3]);
        self::assertSame(
            'customer_id IN (3,4) AND customer_id NOT IN (4)',
            $this->db->calls('delete', 'persistent_session')[0][2]
        );
        self::assertSame([], $this->db->calls('update', 'admin_user_session'));
    }

    public function testDatabaseSessionRowsAreDeletedOnlyWhenEveryoneIsLoggedOut(): void
    {
        $this->db = (new FakeDb($this))->countFor('delete', 'session', 17);
        $kept = $this->service('db')->execute('all', 'why');
        self::assertSame(0, $kept->getSessionRowsDeleted());

        $this->db = (new FakeDb($this))->countFor('delete', 'session', 17);
        $everyone = $this->service('db', 1, 8)->execute('all', 'why');
        self::assertSame(17, $everyone->getSessionRowsDeleted());
    }

    public function testUnknownScopeIsRejectedBeforeAnythingChanges(): void
    {
        $this->db = new FakeDb($this);
        try {
            $this->service()->execute('everyone', 'why');
            self::fail('Expected InputException.');
        } catch (InputException $exception) {
            self::assertSame(['value' => 'everyone', 'fieldName' => 'scope'], $exception->getParameters());
        }
        self::assertSame([], $this->db->journal);
    }

    public function testEmptyReasonIsRequired(): void
    {
        $this->expectExceptionMessage('"reason" is required. Enter and try again.');
        $this->service()->execute('all', '  ');
    }
}
