<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\AdminUserInterface;

/**
 * One admin_user row, without password, rp_token or any other secret.
 */
final class AdminUser implements AdminUserInterface
{
    public function __construct(
        private readonly int $userId,
        private readonly string $username,
        private readonly string $email,
        private readonly string $firstname,
        private readonly string $lastname,
        private readonly bool $isActive,
        private readonly ?string $lockExpires,
        private readonly int $failuresNum,
        private readonly ?string $logdate,
        private readonly int $lognum,
        private readonly string $created,
        private readonly ?string $modified,
        private readonly ?int $roleId,
        private readonly ?string $roleName
    ) {
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
    public function getUsername(): string
    {
        return $this->username;
    }

    /**
     * @inheritdoc
     */
    public function getEmail(): string
    {
        return $this->email;
    }

    /**
     * @inheritdoc
     */
    public function getFirstname(): string
    {
        return $this->firstname;
    }

    /**
     * @inheritdoc
     */
    public function getLastname(): string
    {
        return $this->lastname;
    }

    /**
     * @inheritdoc
     */
    public function getIsActive(): bool
    {
        return $this->isActive;
    }

    /**
     * @inheritdoc
     */
    public function getLockExpires(): ?string
    {
        return $this->lockExpires;
    }

    /**
     * @inheritdoc
     */
    public function getFailuresNum(): int
    {
        return $this->failuresNum;
    }

    /**
     * @inheritdoc
     */
    public function getLogdate(): ?string
    {
        return $this->logdate;
    }

    /**
     * @inheritdoc
     */
    public function getLognum(): int
    {
        return $this->lognum;
    }

    /**
     * @inheritdoc
     */
    public function getCreated(): string
    {
        return $this->created;
    }

    /**
     * @inheritdoc
     */
    public function getModified(): ?string
    {
        return $this->modified;
    }

    /**
     * @inheritdoc
     */
    public function getRoleId(): ?int
    {
        return $this->roleId;
    }

    /**
     * @inheritdoc
     */
    public function getRoleName(): ?string
    {
        return $this->roleName;
    }
}
