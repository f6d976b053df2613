<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\Content;

use Magento\Framework\Exception\InputException;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Content\GetStoreContent;
use MagentoIr\IncidentResponse\Test\Unit\Support\FakeDb;
use PHPUnit\Framework\TestCase;

final class GetStoreContentTest extends TestCase
{
    public function testWidgetsCarryTheirStoresThemeAndRawParameters(): void
    {
        $db = (new FakeDb($this))->answer('/FROM widget_instance WHERE/', [
            ['instance_id' => '4', 'instance_type' => 'Magento\Cms\Block\Widget\Block', 'theme_id' => '3',
                'title' => 'Checkout notice', 'store_ids' => '1,0,1', 'widget_parameters' => '{"block_id":"7"}'],
            ['instance_id' => '9', 'instance_type' => 'Magento\Cms\Block\Widget\Page\Link', 'theme_id' => '3',
                'title' => '', 'store_ids' => '0', 'widget_parameters' => null],
        ]);

        $page = (new GetStoreContent($db->resource, new Input()))->execute('widget_instance', 2, 2);

        self::assertSame(9, $page->getLastEntityId());
        [$first, $second] = $page->getItems();
        self::assertSame('widget_instance', $first->getEntityType());
        self::assertSame('Checkout notice', $first->getIdentifier());
        self::assertSame([0, 1], $first->getStoreIds());
        self::assertSame([3], $first->getThemeIds());
        self::assertNull($first->getUpdatedAt());
        $fields = array_map(static fn ($f): array => [$f->getName(), $f->getValue()], $first->getFields());
        self::assertSame(
            [['instance_type', 'Magento\Cms\Block\Widget\Block'], ['widget_parameters', '{"block_id":"7"}']],
            $fields
        );
        self::assertNull($second->getIdentifier());
        self::assertCount(1, $second->getFields());
        $select = $db->calls('fetchAll')[0];
        self::assertStringContainsString('instance_id > ? ORDER BY instance_id LIMIT 2', $select[1]);
        self::assertSame([2], $select[2]);
    }

    public function testLayoutUpdatesCarryTheirLinksAndOwningWidget(): void
    {
        $db = (new FakeDb($this))
            ->answer('/FROM layout_update WHERE/', [
                ['layout_update_id' => '11', 'handle' => 'checkout_index_index', 'xml' => '<body/>',
                    'updated_at' => '2024-05-01 03:00:00'],
                ['layout_update_id' => '12', 'handle' => 'default', 'xml' => '',
                    'updated_at' => '0000-00-00 00:00:00'],
            ])
            ->answer('/FROM layout_link/', [
                ['layout_update_id' => '11', 'store_id' => '1', 'theme_id' => '3'],
                ['layout_update_id' => '11', 'store_id' => '0', 'theme_id' => '3'],
            ])
            ->answer('/FROM widget_instance_page_layout/', [['layout_update_id' => '11', 'instance_id' => '4']]);

        $page = (new GetStoreContent($db->resource, new Input()))->execute('layout_update');

        [$linked, $bare] = $page->getItems();
        self::assertSame('checkout_index_index', $linked->getIdentifier());
        self::assertSame([0, 1], $linked->getStoreIds());
        self::assertSame([3], $linked->getThemeIds());
        self::assertSame(4, $linked->getWidgetInstanceId());
        self::assertSame('2024-05-01 03:00:00', $linked->getUpdatedAt());
        self::assertSame('xml', $linked->getFields()[0]->getName());
        self::assertSame([], $bare->getStoreIds());
        self::assertNull($bare->getWidgetInstanceId());
        self::assertNull($bare->getUpdatedAt());
        self::assertSame([], $bare->getFields());
        self::assertSame([11, 12], $db->calls('fetchAll')[1][2]);
    }

    public function testEmailTemplatesNeverSelectTheSender(): void
    {
        $db = (new FakeDb($this))->answer('/FROM email_template/', [
            ['template_id' => '2', 'template_code' => 'Order (custom)', 'template_subject' => 'Your order',
                'template_text' => '<p>{{var order.increment_id}}</p>', 'template_styles' => null,
                'orig_template_code' => 'sales_email_order_template', 'modified_at' => '2024-05-01 03:00:00'],
        ]);

        $page = (new GetStoreContent($db->resource, new Input()))->execute('email_template', 0, 500);

        $item = $page->getItems()[0];
        self::assertSame('Order (custom)', $item->getIdentifier());
        self::assertSame(
            ['template_subject', 'template_text', 'orig_template_code'],
            array_map(static fn ($f): string => $f->getName(), $item->getFields())
        );
        self::assertDoesNotMatchRegularExpression('/sender/', $db->calls('fetchAll')[0][1]);
    }

    public function testAnEmptyPageKeepsTheCursor(): void
    {
        $db = new FakeDb($this);
        $page = (new GetStoreContent($db->resource, new Input()))->execute('layout_update', 40);
        self::assertSame([], $page->getItems());
        self::assertSame(40, $page->getLastEntityId());
        self::assertCount(1, $db->calls('fetchAll'));
    }

    /**
     * @return array<string, array{string, int, int}>
     */
    public static function badInput(): array
    {
        return [
            'unknown type' => ['cms_block', 0, 10],
            'negative cursor' => ['widget_instance', -1, 10],
            'page too big' => ['email_template', 0, GetStoreContent::MAX_PAGE_SIZE + 1],
            'empty page' => ['email_template', 0, 0],
        ];
    }

    /**
     * @dataProvider badInput
     */
    public function testBadInputIsRejectedBeforeAnyRead(string $type, int $afterId, int $pageSize): void
    {
        $db = new FakeDb($this);
        try {
            (new GetStoreContent($db->resource, new Input()))->execute($type, $afterId, $pageSize);
            self::fail('no InputException');
        } catch (InputException) {
            self::assertSame([], $db->calls('fetchAll'));
        }
    }
}
