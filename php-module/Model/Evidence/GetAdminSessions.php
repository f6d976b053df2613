<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Evidence;

use Magento\Framework\App\ResourceConnection;
use Magento\Framework\Exception\InputException;
use Magento\Framework\Phrase;
use MagentoIr\IncidentResponse\Api\Data\AdminSessionListInterface;
use MagentoIr\IncidentResponse\Api\GetAdminSessionsInterface;
use MagentoIr\IncidentResponse\Model\Data\AdminSession;
use MagentoIr\IncidentResponse\Model\Data\AdminSessionList;

/**
 * admin_user_session rows (Magento_Security), newest first, at most MAX_ROWS of them.
 */
final class GetAdminSessions implements GetAdminSessionsInterface
{
    public const MAX_ROWS = 10000;

    public function __construct(private readonly ResourceConnection $resource)
    {
    }

    /**
     * @inheritdoc
     */
    public function execute(string $since = ''): AdminSessionListInterface
    {
        $where = '';
        $bind = [];
        if ($since !== '') {
            $parsed = \DateTimeImmutable::createFromFormat('!Y-m-d H:i:s', $since);
            if ($parsed === false || $parsed->format('Y-m-d H:i:s') !== $since) {
                throw new InputException(new Phrase(
                    'Invalid value of "%value" provided for the %fieldName field.',
                    ['value' => $since, 'fieldName' => 'since']
                ));
            }
            $where = ' WHERE updated_at >= ?';
            $bind[] = $since;
        }
        $table = $this->resource->getTableName('admin_user_session');
        $connection = $this->resource->getConnection();
        $total = (int) $connection->fetchOne('SELECT COUNT(*) FROM ' . $table . $where, $bind);
        $rows = $connection->fetchAll(
            'SELECT id, user_id, status, created_at, updated_at, ip FROM ' . $table . $where
            . ' ORDER BY updated_at DESC, id DESC LIMIT ' . self::MAX_ROWS,
            $bind
        );
        $items = array_map(static fn (array $row): AdminSession => new AdminSession(
            id: (int) $row['id'],
            userId: (int) $row['user_id'],
            status: (int) $row['status'],
            createdAt: (string) $row['created_at'],
            updatedAt: (string) $row['updated_at'],
            ip: Rows::nullableString($row['ip'])
        ), $rows);
        return new AdminSessionList($items, max($total, count($items)), $total > self::MAX_ROWS);
    }
}
