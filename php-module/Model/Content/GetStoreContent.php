<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Content;

use Magento\Framework\App\ResourceConnection;
use MagentoIr\IncidentResponse\Api\Data\StoreContentListInterface;
use MagentoIr\IncidentResponse\Api\GetStoreContentInterface;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Data\StoreContent;
use MagentoIr\IncidentResponse\Model\Data\StoreContentField;
use MagentoIr\IncidentResponse\Model\Data\StoreContentList;
use MagentoIr\IncidentResponse\Model\Evidence\Rows;

/**
 * Widget instances, layout updates and e-mail templates as stored, read-only, in id order after a cursor:
 * an attacker with admin or database access hides skimmers there, and no core REST route reads them.
 * Only content columns are selected (never template sender addresses or anything secret).
 */
final class GetStoreContent implements GetStoreContentInterface
{
    public const MAX_PAGE_SIZE = 500;
    public const TYPES = ['widget_instance', 'layout_update', 'email_template'];

    public function __construct(private readonly ResourceConnection $resource, private readonly Input $input)
    {
    }

    /**
     * @inheritdoc
     */
    public function execute(string $type, int $afterId = 0, int $pageSize = 100): StoreContentListInterface
    {
        $type = $this->input->oneOf('type', $type, self::TYPES);
        $afterId = $this->input->intRange('afterId', $afterId, 0, PHP_INT_MAX);
        $pageSize = $this->input->intRange('pageSize', $pageSize, 1, self::MAX_PAGE_SIZE);
        $items = match ($type) {
            'widget_instance' => $this->widgets($afterId, $pageSize),
            'layout_update' => $this->layoutUpdates($afterId, $pageSize),
            default => $this->emailTemplates($afterId, $pageSize),
        };
        $last = $items === [] ? $afterId : $items[count($items) - 1]->getEntityId();
        return new StoreContentList($items, $last);
    }

    /**
     * @return StoreContent[]
     */
    private function widgets(int $afterId, int $pageSize): array
    {
        $rows = $this->page(
            'SELECT instance_id, instance_type, theme_id, title, store_ids, widget_parameters FROM '
            . $this->resource->getTableName('widget_instance') . ' WHERE instance_id > ? ORDER BY instance_id',
            $afterId,
            $pageSize
        );
        return array_map(fn (array $row): StoreContent => new StoreContent(
            'widget_instance',
            (int) $row['instance_id'],
            Rows::nullableString($row['title']),
            self::intList(explode(',', (string) $row['store_ids'])),
            [(int) $row['theme_id']],
            null,
            null,
            self::fields($row, ['instance_type', 'widget_parameters'])
        ), $rows);
    }

    /**
     * @return StoreContent[]
     */
    private function layoutUpdates(int $afterId, int $pageSize): array
    {
        $rows = $this->page(
            'SELECT layout_update_id, handle, xml, updated_at FROM ' . $this->resource->getTableName('layout_update')
            . ' WHERE layout_update_id > ? ORDER BY layout_update_id',
            $afterId,
            $pageSize
        );
        if ($rows === []) {
            return [];
        }
        $ids = array_map(static fn (array $row): int => (int) $row['layout_update_id'], $rows);
        $in = implode(', ', array_fill(0, count($ids), '?'));
        $connection = $this->resource->getConnection();
        $links = $connection->fetchAll(
            'SELECT layout_update_id, store_id, theme_id FROM ' . $this->resource->getTableName('layout_link')
            . ' WHERE layout_update_id IN (' . $in . ') ORDER BY layout_link_id',
            $ids
        );
        $widgets = $connection->fetchAll(
            'SELECT l.layout_update_id, p.instance_id FROM '
            . $this->resource->getTableName('widget_instance_page_layout') . ' l JOIN '
            . $this->resource->getTableName('widget_instance_page') . ' p ON p.page_id = l.page_id'
            . ' WHERE l.layout_update_id IN (' . $in . ')',
            $ids
        );
        $stores = $themes = $owner = [];
        foreach ($links as $link) {
            $stores[(int) $link['layout_update_id']][] = $link['store_id'];
            $themes[(int) $link['layout_update_id']][] = $link['theme_id'];
        }
        foreach ($widgets as $widget) {
            $owner[(int) $widget['layout_update_id']] = (int) $widget['instance_id'];
        }
        return array_map(function (array $row) use ($stores, $themes, $owner): StoreContent {
            $id = (int) $row['layout_update_id'];
            return new StoreContent(
                'layout_update',
                $id,
                Rows::nullableString($row['handle']),
                self::intList($stores[$id] ?? []),
                self::intList($themes[$id] ?? []),
                $owner[$id] ?? null,
                self::time($row['updated_at']),
                self::fields($row, ['xml'])
            );
        }, $rows);
    }

    /**
     * @return StoreContent[]
     */
    private function emailTemplates(int $afterId, int $pageSize): array
    {
        $rows = $this->page(
            'SELECT template_id, template_code, template_subject, template_text, template_styles,'
            . ' orig_template_code, modified_at FROM ' . $this->resource->getTableName('email_template')
            . ' WHERE template_id > ? ORDER BY template_id',
            $afterId,
            $pageSize
        );
        return array_map(fn (array $row): StoreContent => new StoreContent(
            'email_template',
            (int) $row['template_id'],
            Rows::nullableString($row['template_code']),
            [],
            [],
            null,
            self::time($row['modified_at']),
            self::fields($row, ['template_subject', 'template_text', 'template_styles', 'orig_template_code'])
        ), $rows);
    }

    /**
     * @return list<array<string, mixed>>
     */
    private function page(string $select, int $afterId, int $pageSize): array
    {
        return array_values($this->resource->getConnection()->fetchAll($select . ' LIMIT ' . $pageSize, [$afterId]));
    }

    /**
     * @param array<string, mixed> $row
     * @param list<string> $columns
     * @return StoreContentField[]
     */
    private static function fields(array $row, array $columns): array
    {
        $fields = [];
        foreach ($columns as $column) {
            $value = Rows::nullableString($row[$column] ?? null);
            if ($value !== null) {
                $fields[] = new StoreContentField($column, $value);
            }
        }
        return $fields;
    }

    /**
     * A timestamp, or null when never set (MySQL's zero date: a row written without Magento's model).
     */
    private static function time(mixed $value): ?string
    {
        $time = Rows::nullableString($value);
        return $time === null || str_starts_with($time, '0000-00-00') ? null : $time;
    }

    /**
     * Distinct integers in ascending order, blanks dropped.
     *
     * @param array<mixed> $values
     * @return int[]
     */
    private static function intList(array $values): array
    {
        $ints = [];
        foreach ($values as $value) {
            if (is_numeric(trim((string) $value))) {
                $ints[(int) $value] = true;
            }
        }
        $ints = array_keys($ints);
        sort($ints);
        return $ints;
    }
}
