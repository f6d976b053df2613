<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\IntegrationInterface;

/**
 * One integration row, without consumer key, secret or tokens.
 */
final class Integration implements IntegrationInterface
{
    public function __construct(
        private readonly int $integrationId,
        private readonly string $name,
        private readonly ?string $email,
        private readonly ?string $endpoint,
        private readonly int $status,
        private readonly int $setupType,
        private readonly string $createdAt,
        private readonly string $updatedAt,
        private readonly ?string $consumerCreatedAt
    ) {
    }

    /**
     * @inheritdoc
     */
    public function getIntegrationId(): int
    {
        return $this->integrationId;
    }

    /**
     * @inheritdoc
     */
    public function getName(): string
    {
        return $this->name;
    }

    /**
     * @inheritdoc
     */
    public function getEmail(): ?string
    {
        return $this->email;
    }

    /**
     * @inheritdoc
     */
    public function getEndpoint(): ?string
    {
        return $this->endpoint;
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
    public function getSetupType(): int
    {
        return $this->setupType;
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
    public function getConsumerCreatedAt(): ?string
    {
        return $this->consumerCreatedAt;
    }
}
