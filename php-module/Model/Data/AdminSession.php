<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\AdminSessionInterface;

/**
 * One admin_user_session row.
 */
final class AdminSession implements AdminSessionInterface
{
    public function __construct(
        private readonly int $id,
        private readonly int $userId,
        private readonly int $status,
        private readonly string $createdAt,
        private readonly string $updatedAt,
        private readonly ?string $ip
    ) {
    }

    /**
     * @inheritdoc
     */
    public function getId(): int
    {
        return $this->id;
    }

    /**
     * @inheritdoc
     */
    public function getUserId(): int
    {
        return $this->userId;
    }

    /**
     * @inheritdoc
     */
    public function getStatus(): int
    {
        return $this->status;
    }

    /**
     * @inheritdoc
     */
    public function getCreatedAt(): string
    {
        return $this->createdAt;
    }

    /**
     * @inheritdoc
     */
    public function getUpdatedAt(): string
    {
        return $this->updatedAt;
    }

    /**
     * @inheritdoc
     */
    public function getIp(): ?string
    {
        return $this->ip;
    }
}
