<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Guard;

use Magento\Framework\Exception\InputException;
use MagentoIr\IncidentResponse\Model\Action\Input;

/**
 * Validates and normalises a guard rule's parameters (refused for their shape: not logged).
 */
final class RuleInput
{
    public const TYPES = ['ip', 'email', 'customer', 'bin', 'freeze', 'velocity'];
    public const SUBJECTS = ['ip', 'email', 'customer', 'quote'];
    public const METRICS = ['orders', 'failures'];
    public const MAX_VALUES = 1000;
    public const MAX_LIMIT = 100000;
    public const MIN_WINDOW = 60;
    public const MAX_WINDOW = 86400;
    public const MAX_TTL = 2592000;

    public function __construct(private readonly Input $input)
    {
    }

    /**
     * @param array<mixed> $values
     * @return array{type: string, values: list<string>, subject: ?string, metric: ?string, limit: ?int,
     *     window: ?int, ttl: int}
     * @throws InputException
     */
    public function rule(
        string $type,
        array $values,
        ?string $subject,
        ?string $metric,
        int $limit,
        int $window,
        int $ttl
    ): array {
        $type = $this->input->oneOf('type', $type, self::TYPES);
        $ttl = $ttl === 0 ? 0 : $this->input->intRange('ttl', $ttl, 1, self::MAX_TTL);
        if ($type === 'velocity') {
            if ($values !== []) {
                throw $this->input->invalid('values', 'values are for block rules, not velocity');
            }
            return [
                'type' => $type,
                'values' => [],
                'subject' => $this->input->oneOf('subject', (string) $subject, self::SUBJECTS),
                'metric' => $this->input->oneOf('metric', (string) $metric, self::METRICS),
                'limit' => $this->input->intRange('limit', $limit, 1, self::MAX_LIMIT),
                'window' => $this->input->intRange('window', $window, self::MIN_WINDOW, self::MAX_WINDOW),
                'ttl' => $ttl,
            ];
        }
        foreach (['subject' => $subject, 'metric' => $metric] as $field => $given) {
            if ($given !== null && $given !== '') {
                throw $this->input->invalid($field, $given);
            }
        }
        if ($limit !== 0 || $window !== 0) {
            throw $this->input->invalid($limit !== 0 ? 'limit' : 'window', (string) ($limit ?: $window));
        }
        return [
            'type' => $type,
            'values' => $this->values($type, $values),
            'subject' => null,
            'metric' => null,
            'limit' => null,
            'window' => null,
            'ttl' => $ttl,
        ];
    }

    /**
     * @param array<mixed> $values
     * @return list<string>
     * @throws InputException
     */
    private function values(string $type, array $values): array
    {
        if (count($values) > self::MAX_VALUES) {
            throw $this->input->invalid('values', count($values) . ' values (at most ' . self::MAX_VALUES . ')');
        }
        $clean = [];
        foreach ($values as $value) {
            if (!is_string($value) && !is_int($value)) {
                throw $this->input->invalid('values', gettype($value));
            }
            $normal = self::normalize($type, trim((string) $value));
            if ($normal === null) {
                throw $this->input->invalid('values', (string) $value);
            }
            $clean[$normal] = $normal;
        }
        if ($clean === []) {
            throw $this->input->required('values');
        }
        return array_values($clean);
    }

    /**
     * The stored form of one value of a block rule, or null when it is not one.
     */
    public static function normalize(string $type, string $value): ?string
    {
        return match ($type) {
            'ip' => IpRange::normalize($value),
            'email' => filter_var($value, FILTER_VALIDATE_EMAIL) !== false && strlen($value) <= 255
                ? strtolower($value) : null,
            'customer' => preg_match('/^[1-9]\d{0,9}$/', $value) === 1 ? $value : null,
            'bin' => preg_match('/^\d{6,8}$/', $value) === 1 ? $value : null,
            'freeze' => preg_match('/^[a-z0-9_]{1,64}$/', $value) === 1 ? $value : null,
            default => null,
        };
    }
}
