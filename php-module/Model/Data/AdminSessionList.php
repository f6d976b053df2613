<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\AdminSessionListInterface;

/**
 * admin_user_session rows, newest first.
 */
final class AdminSessionList implements AdminSessionListInterface
{
    /**
     * @param AdminSession[] $items
     */
    public function __construct(
        private readonly array $items,
        private readonly int $totalCount,
        private readonly bool $truncated = false
    ) {
    }

    /**
     * @return \MagentoIr\IncidentResponse\Api\Data\AdminSessionInterface[]
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

    /**
     * @inheritdoc
     */
    public function getTruncated(): bool
    {
        return $this->truncated;
    }
}
