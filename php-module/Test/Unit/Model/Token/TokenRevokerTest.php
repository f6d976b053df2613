<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\Token;

use Magento\Framework\App\CacheInterface;
use MagentoIr\IncidentResponse\Model\Token\Revocation;
use MagentoIr\IncidentResponse\Model\Token\TokenRevoker;
use MagentoIr\IncidentResponse\Test\Unit\Support\FakeDb;
use PHPUnit\Framework\TestCase;

final class TokenRevokerTest extends TestCase
{
    /** @var list<array<int, mixed>> */
    private array $cacheCalls = [];

    private function revoker(FakeDb $db): TokenRevoker
    {
        $cache = $this->getMockBuilder(CacheInterface::class)->getMock();
        $cache->method('remove')->willReturnCallback(function ($id) {
            $this->cacheCalls[] = ['remove', $id];
            return true;
        });
        $cache->method('clean')->willReturnCallback(function ($tags = []) {
            $this->cacheCalls[] = ['clean', $tags];
            return true;
        });
        return new TokenRevoker($db->resource, $cache);
    }

    public function testRevokesEveryoneInScopeWithOneUpsertAndMarksLegacyTokens(): void
    {
        $db = (new FakeDb($this))->answer('/SELECT COUNT/', '12')->answer('/FROM jwt_auth_revoked/', ['3']);
        $revocation = $this->revoker($db)->revoke(3, 'entity_id IN (3,4)', 1714533129);

        self::assertSame([3, 12, [3]], [$revocation->userType, $revocation->userCount, $revocation->cachedUserIds]);
        $upsert = $db->calls('query')[0];
        self::assertSame(
            'INSERT INTO jwt_auth_revoked (user_type_id, user_id, revoke_before)'
            . ' SELECT ?, entity_id, ? FROM customer_entity WHERE entity_id IN (3,4)'
            . ' ON DUPLICATE KEY UPDATE revoke_before = VALUES(revoke_before)',
            $upsert[1]
        );
        self::assertSame([3, 1714533129], $upsert[2]);
        self::assertSame(
            ['customer_id IN (SELECT entity_id FROM customer_entity WHERE entity_id IN (3,4))', 'revoked = 0'],
            $db->calls('update', 'oauth_token')[0][3]
        );
    }

    public function testForgetsFewCachedCutOffsOneByOne(): void
    {
        $this->revoker(new FakeDb($this))->forgetCached(new Revocation(2, 5, [7, 9]));
        self::assertSame(
            [['remove', 'jwt-user-token:revoked:2:7'], ['remove', 'jwt-user-token:revoked:2:9']],
            $this->cacheCalls
        );
    }

    public function testManyCachedCutOffsFlushTheApplicationCacheInstead(): void
    {
        $ids = range(1, TokenRevoker::FORGET_ONE_BY_ONE_LIMIT + 1);
        $this->revoker(new FakeDb($this))->forgetCached(new Revocation(3, count($ids), $ids));
        self::assertSame([['clean', ['MAGE']]], $this->cacheCalls);
    }
}
