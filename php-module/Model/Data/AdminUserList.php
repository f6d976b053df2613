<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\AdminUserListInterface;

/**
 * Every admin user, ordered by user_id.
 */
final class AdminUserList implements AdminUserListInterface
{
    /**
     * @param AdminUser[] $items
     */
    public function __construct(
        private readonly array $items,
        private readonly int $totalCount
    ) {
    }

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\AdminUserInterface[]
     */
    public function getItems(): array
    {
        return $this->items;
    }

    /**
     * @inheritdoc
     */
    public function getTotalCount(): int
    {
        return $this->totalCount;
    }
}
