<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Token;

use Magento\Authorization\Model\UserContextInterface;
use Magento\Framework\App\CacheInterface;
use Magento\Framework\App\ResourceConnection;

/**
 * Revokes every token issued up to now for a whole set of users in one statement.
 *
 * Writes the same per-user cut-off as Magento\JwtUserToken\Model\Revoker (jwt_auth_revoked), marks legacy
 * oauth_token rows revoked, and forgets the cut-offs Magento cached for those users.
 */
final class TokenRevoker
{
    /** Magento\JwtUserToken\Model\ResourceModel\FastStorageRevokedWrapper's cache id (private there). */
    public const REVOKED_CACHE_ID = 'jwt-user-token:revoked:%d:%d';
    /** The tag app/etc/di.xml's TagScope decorator puts on every application cache entry. */
    public const APPLICATION_CACHE_TAG = 'MAGE';
    public const FORGET_ONE_BY_ONE_LIMIT = 2000;

    public function __construct(
        private readonly ResourceConnection $resource,
        private readonly CacheInterface $cache
    ) {
    }

    /**
     * @param int $userType UserContextInterface::USER_TYPE_ADMIN or USER_TYPE_CUSTOMER
     * @param string $userCondition SQL condition on the user table's id column (see IdCondition)
     * @param int $revokeBefore Unix time: tokens issued at or before it are rejected
     */
    public function revoke(int $userType, string $userCondition, int $revokeBefore): Revocation
    {
        $connection = $this->resource->getConnection();
        [$userTable, $idColumn, $tokenColumn] = $userType === UserContextInterface::USER_TYPE_ADMIN
            ? [$this->resource->getTableName('admin_user'), 'user_id', 'admin_id']
            : [$this->resource->getTableName('customer_entity'), 'entity_id', 'customer_id'];
        $users = "SELECT {$idColumn} FROM {$userTable} WHERE {$userCondition}";
        $revokedTable = $this->resource->getTableName('jwt_auth_revoked');

        $userCount = (int) $connection->fetchOne("SELECT COUNT(*) FROM {$userTable} WHERE {$userCondition}");
        // Only users with an earlier cut-off can have one cached; the rest fall through to the table.
        $cached = array_map('intval', $connection->fetchCol(
            "SELECT user_id FROM {$revokedTable} WHERE user_type_id = ? AND user_id IN ({$users})",
            [$userType]
        ));
        $connection->query(
            "INSERT INTO {$revokedTable} (user_type_id, user_id, revoke_before)"
            . " SELECT ?, {$idColumn}, ? FROM {$userTable} WHERE {$userCondition}"
            . ' ON DUPLICATE KEY UPDATE revoke_before = VALUES(revoke_before)',
            [$userType, $revokeBefore]
        );
        $connection->update(
            $this->resource->getTableName('oauth_token'),
            ['revoked' => 1],
            ["{$tokenColumn} IN ({$users})", 'revoked = 0']
        );
        return new Revocation($userType, $userCount, $cached);
    }

    /**
     * Drops the cached cut-offs so the new ones apply at once; call after the transaction commits.
     *
     * The entries carry no tag of their own, so beyond a few thousand users removing them one by one
     * costs more than flushing the application cache (every entry there carries Magento's MAGE tag).
     */
    public function forgetCached(Revocation $revocation): void
    {
        if (count($revocation->cachedUserIds) > self::FORGET_ONE_BY_ONE_LIMIT) {
            $this->cache->clean([self::APPLICATION_CACHE_TAG]);
            return;
        }
        foreach ($revocation->cachedUserIds as $userId) {
            $this->cache->remove(sprintf(self::REVOKED_CACHE_ID, $revocation->userType, $userId));
        }
    }
}
