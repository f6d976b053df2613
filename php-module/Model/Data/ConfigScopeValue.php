<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Data;

use MagentoIr\IncidentResponse\Api\Data\ConfigScopeValueInterface;

/**
 * A configuration value at one scope.
 */
final class ConfigScopeValue implements ConfigScopeValueInterface
{
    public function __construct(
        private readonly string $scope,
        private readonly int $scopeId,
        private readonly ?string $value = null
    ) {
    }

    /**
     * @return string
     */
    public function getScope(): string
    {
        return $this->scope;
    }

    /**
     * @return int
     */
    public function getScopeId(): int
    {
        return $this->scopeId;
    }

    /**
     * @return string|null
     */
    public function getValue(): ?string
    {
        return $this->value;
    }

    /**
     * Rebuilds the object from toArray() output (stored idempotent responses).
     *
     * @param array<string, mixed> $data
     */
    public static function fromArray(array $data): self
    {
        return new self(
            scope: (string) $data[self::KEY_SCOPE],
            scopeId: (int) $data[self::KEY_SCOPE_ID],
            value: isset($data[self::KEY_VALUE]) ? (string) $data[self::KEY_VALUE] : null
        );
    }

    /**
     * The REST wire shape: snake_case keys, null values omitted.
     *
     * @return array<string, mixed>
     */
    public function toArray(): array
    {
        $data = [
            self::KEY_SCOPE => $this->scope,
            self::KEY_SCOPE_ID => $this->scopeId,
        ];
        if ($this->value !== null) {
            $data[self::KEY_VALUE] = $this->value;
        }
        return $data;
    }
}
