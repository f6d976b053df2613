<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Action;

use Magento\Framework\Exception\InputException;
use Magento\Framework\Phrase;

/**
 * Input checks shared by the services, raising Magento's own InputException phrases (HTTP 400).
 */
final class Input
{
    /**
     * @throws InputException
     */
    public function reason(string $reason): string
    {
        $reason = trim($reason);
        if ($reason === '') {
            throw $this->required('reason');
        }
        if (mb_strlen($reason) > 255) {
            throw $this->invalid('reason', mb_substr($reason, 0, 40) . '...');
        }
        return $reason;
    }

    /**
     * @throws InputException
     */
    public function incidentId(?string $incidentId): ?string
    {
        if ($incidentId === null || trim($incidentId) === '') {
            return null;
        }
        $incidentId = trim($incidentId);
        if (mb_strlen($incidentId) > 64) {
            throw $this->invalid('incidentId', $incidentId);
        }
        return $incidentId;
    }

    /**
     * @param list<string> $allowed
     * @throws InputException
     */
    public function oneOf(string $field, string $value, array $allowed): string
    {
        if (!in_array($value, $allowed, true)) {
            throw $this->invalid($field, $value);
        }
        return $value;
    }

    /**
     * Positive, distinct integer ids in first-seen order.
     *
     * @param array<mixed> $ids
     * @return list<int>
     * @throws InputException
     */
    public function ids(string $field, array $ids, int $max = 100000): array
    {
        // Counted before anything is built from the list: a huge list is refused for the price of count().
        if (count($ids) > $max) {
            throw $this->invalid($field, count($ids) . ' ids (at most ' . $max . ')');
        }
        $clean = [];
        foreach ($ids as $id) {
            if (!is_int($id) && !(is_string($id) && ctype_digit($id))) {
                throw $this->invalid($field, is_scalar($id) ? (string) $id : gettype($id));
            }
            $id = (int) $id;
            if ($id < 1) {
                throw $this->invalid($field, (string) $id);
            }
            $clean[$id] = $id;
        }
        return array_values($clean);
    }

    /**
     * @throws InputException
     */
    public function intRange(string $field, int $value, int $min, int $max): int
    {
        if ($value < $min || $value > $max) {
            throw $this->invalid($field, (string) $value);
        }
        return $value;
    }

    public function required(string $field): InputException
    {
        return new InputException(
            new Phrase('"%fieldName" is required. Enter and try again.', ['fieldName' => $field])
        );
    }

    public function invalid(string $field, string $value): InputException
    {
        return new InputException(new Phrase(
            'Invalid value of "%value" provided for the %fieldName field.',
            ['value' => $value, 'fieldName' => $field]
        ));
    }
}
