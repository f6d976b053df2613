<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Evidence;

use Magento\Framework\App\ResourceConnection;
use MagentoIr\IncidentResponse\Api\Data\AdminUserListInterface;
use MagentoIr\IncidentResponse\Api\GetAdminsInterface;
use MagentoIr\IncidentResponse\Model\Data\AdminUser;
use MagentoIr\IncidentResponse\Model\Data\AdminUserList;

/**
 * Every admin_user row with its role group; secret columns are never selected.
 */
final class GetAdmins implements GetAdminsInterface
{
    // authorization_role.user_type of admin users (UserContextInterface::USER_TYPE_ADMIN).
    private const USER_TYPE_ADMIN = '2';

    public function __construct(private readonly ResourceConnection $resource)
    {
    }

    /**
     * @inheritdoc
     */
    public function execute(): AdminUserListInterface
    {
        $role = $this->resource->getTableName('authorization_role');
        $rows = $this->resource->getConnection()->fetchAll(
            'SELECT u.user_id, u.username, u.email, u.firstname, u.lastname, u.is_active, u.lock_expires,'
            . ' u.failures_num, u.logdate, u.lognum, u.created, u.modified, g.role_id, g.role_name'
            . ' FROM ' . $this->resource->getTableName('admin_user') . ' u'
            . ' LEFT JOIN ' . $role . " r ON r.user_id = u.user_id AND r.role_type = 'U' AND r.user_type = ?"
            . ' LEFT JOIN ' . $role . ' g ON g.role_id = r.parent_id'
            . ' ORDER BY u.user_id, g.role_id',
            [self::USER_TYPE_ADMIN]
        );
        $admins = [];
        foreach ($rows as $row) {
            // A user has one role; keep the first if the table holds stray duplicates.
            $admins[(int) $row['user_id']] ??= new AdminUser(
                userId: (int) $row['user_id'],
                username: (string) $row['username'],
                email: (string) $row['email'],
                firstname: (string) $row['firstname'],
                lastname: (string) $row['lastname'],
                isActive: (bool) $row['is_active'],
                lockExpires: Rows::nullableString($row['lock_expires']),
                failuresNum: (int) $row['failures_num'],
                logdate: Rows::nullableString($row['logdate']),
                lognum: (int) $row['lognum'],
                created: (string) $row['created'],
                modified: Rows::nullableString($row['modified']),
                roleId: $row['role_id'] === null ? null : (int) $row['role_id'],
                roleName: Rows::nullableString($row['role_name'])
            );
        }
        return new AdminUserList(array_values($admins), count($admins));
    }
}
