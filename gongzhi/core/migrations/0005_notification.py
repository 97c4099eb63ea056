# The notification centre moves into the kernel (issue 11): tickets' rows are copied by
# tickets/0007_notifications_to_core.

import django.db.models.deletion
import gongzhi.core.clock
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_identity_controls'),
    ]

    operations = [
        migrations.CreateModel(
            name='Notification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('verb', models.CharField(max_length=24, verbose_name='action')),
                ('text', models.CharField(max_length=300, verbose_name='text')),
                ('link', models.CharField(blank=True, max_length=200, verbose_name='link')),
                ('reference', models.CharField(blank=True, max_length=40, verbose_name='reference')),
                ('read', models.BooleanField(default=False, verbose_name='read')),
                ('created_at', models.DateTimeField(default=gongzhi.core.clock.now, verbose_name='created at')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'notification',
                'verbose_name_plural': 'notifications',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['user', 'read', '-created_at'], name='core_notification_inbox')],
            },
        ),
    ]
