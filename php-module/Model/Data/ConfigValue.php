<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\ConfigValueInterface;

/**
 * One core_config_data row.
 */
final class ConfigValue implements ConfigValueInterface
{
    public function __construct(
        private readonly string $path,
        private readonly string $scope,
        private readonly int $scopeId,
        private readonly ?string $value,
        private readonly string $updatedAt,
        private readonly bool $locked
    ) {
    }

    /**
     * @inheritdoc
     */
    public function getPath(): string
    {
        return $this->path;
    }

    /**
     * @inheritdoc
     */
    public function getScope(): string
    {
        return $this->scope;
    }

    /**
     * @inheritdoc
     */
    public function getScopeId(): int
    {
        return $this->scopeId;
    }

    /**
     * @inheritdoc
     */
    public function getValue(): ?string
    {
        return $this->value;
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
    public function getLocked(): bool
    {
        return $this->locked;
    }
}
